"""Sources read one kind of input each and yield what they found, uninterpreted.

Sources never write the store and never import it; they raise ``SourceError``.
"""

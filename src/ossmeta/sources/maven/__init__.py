"""Maven repositories as a source: fetching maven-metadata.xml and POMs, reading their
XML into data. Interpreting POMs (inheritance, the effective POM) is ``normalizers.maven``.
"""

"""Maven POMs interpreted: a parent chain merged by Maven's inheritance rules, ``${...}``
interpolated, BOMs imported, the effective POM built. Pure: the POMs come from a
``resolve.PomSource`` (a repository fetched by ``sources.maven``, or stored records).
"""

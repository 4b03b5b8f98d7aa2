"""Repository URLs from package metadata (PyPI Project-URL and home_page, npm ``repository``,
Maven ``<scm>``, crates.io ``repository``) -> one canonical form, ``host/owner/name``: no
scheme, no user or port, host lower-case without ``www.``, no ``.git``, no tail
(``/tree/...``, ``/issues``, ``#readme``, ``?tab=...``). Links that are not repositories are
rejected with a reason instead of guessed.

Decisions worth knowing (each is also commented where it is made):

- Owner and name are lower-cased only on hosts that resolve them case-insensitively
  (github.com, gitlab.com, bitbucket.org, codeberg.org, gist ids), so the same repository
  spelled two ways meets itself. Elsewhere case is kept: folding it on a host that is case
  sensitive would merge two repositories, which is worse than missing a duplicate.
- GitLab keeps every namespace segment (``gitlab.com/group/subgroup/project``); ``owner`` is
  then the whole namespace, ``group/subgroup``.
- GitHub Pages (``owner.github.io/name``) and documentation hosts are rejected, not mapped:
  a Pages site is usually, not always, built from ``github.com/owner/name``, and a
  normalized value must not be a guess. The reason names the likely repository so a curator
  can propose it.
- A host that is not a known code host is accepted only with evidence of a repository: a git
  transport (``ssh://``, ``git://``, scp-like, ``git+...``, Maven ``scm:``), a ``.git`` path,
  a forge-like host name (``git.``, ``gitlab.``, ``gitea.``...), or no scheme at all (the
  canonical form itself, so that normalizing a canonical value gives it back).
- A gist is canonically ``gist.github.com/<id>`` (``owner`` None): the id is unique and
  survives a rename of its owner.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

__all__ = ["RepoUrl", "canonical_repo_url", "repo_from_npm"]


@dataclass(frozen=True, slots=True)
class RepoUrl:
    canonical: str | None  # "github.com/owner/name"
    host: str | None
    owner: str | None  # a GitLab namespace may hold several segments: "group/subgroup"
    name: str | None
    raw: str
    reason: str | None  # why rejected, when canonical is None


# -- host tables ---------------------------------------------------------------------------


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


#: Hosts whose owner and repository names are matched case-insensitively by the host itself
#: (``github.com/PSF/Requests`` is ``github.com/psf/requests``).
_CASE_INSENSITIVE = frozenset({"github.com", "gitlab.com", "bitbucket.org", "codeberg.org"})

#: Other spellings of a host that name the same repositories.
_HOST_ALIASES = {
    "raw.githubusercontent.com": "github.com",  # a file in the repository
    "codeload.github.com": "github.com",  # an archive of the repository
    "ssh.github.com": "github.com",  # SSH over port 443
    "altssh.bitbucket.org": "bitbucket.org",
    "altssh.gitlab.com": "gitlab.com",
}

#: npm's (and hosted-git-info's) provider shorthands: ``github:user/repo``.
_SHORTHAND_HOSTS = {
    "github": "github.com",
    "gitlab": "gitlab.com",
    "bitbucket": "bitbucket.org",
    "gist": "gist.github.com",
}

#: First path segments on github.com that are site pages, never an owner.
_GITHUB_RESERVED = _words("""
    about account advisories apps codespaces collections contact customer-stories dashboard
    enterprise events explore features join login logout marketplace new notifications
    organizations orgs pricing pulls issues readme search security sessions settings site
    solutions sponsors stars team topics trending users watching""")
#: The same for GitLab and Gitea/Forgejo (Codeberg).
_GITLAB_RESERVED = _words(
    "- admin api dashboard explore groups help projects search snippets users"
)
_GITEA_RESERVED = _words("- admin api explore notifications org user")

#: Path segments that end the repository part of a path on forges that put tails straight
#: after the repository (older GitLab, Gitea, cgit, Subversion layouts). ``-`` is GitLab's
#: own separator (``/-/tree/main``); the rest are words GitLab reserves as project names or
#: common tails, so no real namespace is cut short by them.
_TAIL_WORDS = _words("""
    - archive badges blame blob branches builds commit commits compare edit files find_file
    graphs issues labels log merge_requests milestones network pipelines pulls raw refs
    releases src tags tree trunk wiki wikis""")

#: Host-name labels that mark a self-hosted forge (``git.example.org``, ``gitlab.corp``).
_FORGE_LABELS = _words(
    "cgit code forge forgejo git gitea gitlab gogs hg repo repos scm source src svn vcs"
)

#: Values that stand for "no URL" in real metadata.
_PLACEHOLDERS = _words("unknown none null n/a na - tbd todo undefined http:// https://") | {""}

_VCS_SCHEMES = frozenset({"ssh", "git", "svn", "hg", "bzr"})
_WEB_SCHEMES = frozenset({"http", "https"})

_SCHEME = re.compile(r"([A-Za-z][A-Za-z0-9+.-]*)://(.*)", re.DOTALL)
# scp-like ``[user@]host:path`` (git's own syntax); ``(?!//)`` leaves real URLs alone.
_SCP = re.compile(r"(?:([^@/:]+)@)?([A-Za-z0-9.-]+):(?!//)(.*)", re.DOTALL)
_SHORTHAND = re.compile(r"(github|gitlab|bitbucket|gist):(?!//)(.*)", re.DOTALL | re.IGNORECASE)
_NPM_BARE = re.compile(r"[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+(?:#.*)?", re.DOTALL)
_HOST = re.compile(r"[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*")
_SEGMENT = re.compile(r"[A-Za-z0-9_.-]+")
_SOURCEHUT_OWNER = re.compile(r"~?[A-Za-z0-9_-]+")
_GIST_ID = re.compile(r"[0-9a-fA-F]+")
_WHITESPACE = re.compile(r"\s")


class _Rejected(Exception):
    """Internal: carries the reason up to ``canonical_repo_url``."""


def _reject(reason: str) -> _Rejected:
    return _Rejected(reason)


# -- public API ----------------------------------------------------------------------------


@lru_cache(maxsize=65536)
def canonical_repo_url(raw: str) -> RepoUrl:
    """The canonical ``host/owner/name`` of a repository link, or a rejection with the
    reason. Never raises; results are cached (the same links recur across versions)."""
    try:
        host, owner, name = _parse(raw)
    except _Rejected as rejected:
        return RepoUrl(None, None, None, None, raw, str(rejected))
    canonical = f"{host}/{name}" if owner is None else f"{host}/{owner}/{name}"
    return RepoUrl(canonical, host, owner, name, raw, None)


def repo_from_npm(value: object) -> str | None:
    """The repository URL in an npm ``repository`` field, in any of its shapes: a URL, a
    provider shorthand (``github:user/repo``, ``gitlab:``, ``bitbucket:``, ``gist:id``), the
    bare ``user/repo`` npm reads as GitHub, an object ``{type, url, directory}`` or, in old
    packuments, a list of those. ``directory`` (a package's folder inside a monorepo) is not
    part of the repository's identity and is left out. None when there is no URL."""
    if isinstance(value, list):
        for item in value:
            found = repo_from_npm(item)
            if found is not None:
                return found
        return None
    if isinstance(value, dict):
        value = value.get("url")
    if not isinstance(value, str):
        return None
    text = value.strip()
    if not text:
        return None
    shorthand = _SHORTHAND.fullmatch(text)
    if shorthand is not None:
        # npm allows a committish after ``#``; it names a revision, not the repository.
        path = shorthand.group(2).partition("#")[0].strip("/")
        return f"https://{_SHORTHAND_HOSTS[shorthand.group(1).lower()]}/{path}"
    if _NPM_BARE.fullmatch(text) and ":" not in text:
        return f"https://github.com/{text.partition('#')[0]}"
    return text


# -- parsing -------------------------------------------------------------------------------


def _parse(raw: str) -> tuple[str, str | None, str]:
    text = raw.strip()
    if len(text) >= 2 and text[0] == "<" and text[-1] == ">":  # <https://...> in free text
        text = text[1:-1].strip()
    if text.lower() in _PLACEHOLDERS:
        raise _reject("empty or a placeholder")
    if "${" in text:
        raise _reject("unresolved Maven property")
    if _WHITESPACE.search(text):
        raise _reject("not a URL: contains whitespace")

    # Evidence that the link points at a repository and not a web page (matters for hosts
    # that are not known code hosts).
    vcs = False
    if text[:4].lower() in ("scm:", "scm|"):
        # Maven SCM URL: ``scm:<provider>:<provider-specific>``; Maven also allows ``|``.
        parts = text.split(text[3], 2)
        if len(parts) < 3 or not parts[2]:
            raise _reject("Maven SCM URL without a provider-specific part")
        text, vcs = parts[2], True

    schemeless = False
    shorthand = _SHORTHAND.fullmatch(text)
    scheme_match = _SCHEME.fullmatch(text) if shorthand is None else None
    if shorthand is not None:
        host, path, vcs = _SHORTHAND_HOSTS[shorthand.group(1).lower()], shorthand.group(2), True
    elif scheme_match is not None:
        scheme = scheme_match.group(1).lower()
        transport, plus, inner = scheme.partition("+")
        if plus:  # git+https, git+ssh, svn+ssh, hg+https (npm, pip)
            vcs, scheme = True, inner
            if transport not in _VCS_SCHEMES:
                raise _reject(f"not a repository URL scheme: {scheme_match.group(1)}")
        if scheme in _VCS_SCHEMES:
            vcs = True
        elif scheme not in _WEB_SCHEMES:
            raise _reject(f"not a repository URL scheme: {scheme_match.group(1)}")
        host, path = _split_authority(scheme_match.group(2))
    else:
        scp = _SCP.fullmatch(text)
        if scp is not None and (scp.group(1) is not None or "." in scp.group(2)):
            host, path, vcs = scp.group(2), scp.group(3), True
        else:
            text = text.removeprefix("//")  # protocol-relative ``//github.com/...``
            first, slash, rest = text.partition("/")
            if not slash or "." not in first or ":" in first or "@" in first:
                if _NPM_BARE.fullmatch(text):
                    raise _reject("not a URL (bare user/repo is npm's shorthand: repo_from_npm)")
                raise _reject("not a URL")
            # No scheme: ``host/owner/name``, the canonical form itself.
            host, path, schemeless = first, rest, True

    host = host.lower().rstrip(".")
    while host.startswith("www.") and "." in host[4:]:
        host = host[4:]
    host = _HOST_ALIASES.get(host, host)
    # A host without a dot (``localhost``, an intranet name) names no repository anyone
    # else can reach, and its canonical form would not read back as a URL.
    if "." not in host or not _HOST.fullmatch(host):
        raise _reject("not a valid public host name")
    # Query and fragment (``?tab=readme``, ``#readme``, npm's ``#semver:^1``) never name a
    # different repository.
    for mark in "?#":
        path = path.partition(mark)[0]
    segments = [s for s in path.split("/") if s]
    if host == "api.github.com" and len(segments) >= 3 and segments[0] == "repos":
        host, segments = "github.com", segments[1:]

    if host == "github.com":
        return _github(segments)
    if host == "gist.github.com":
        return _gist(segments)
    if host == "gitlab.com":
        return _gitlab(host, segments, case_insensitive=True)
    if host in ("bitbucket.org", "codeberg.org", "gitee.com"):
        reserved = _GITEA_RESERVED if host == "codeberg.org" else frozenset[str]()
        return _two_level(host, segments, reserved)
    if host in ("git.sr.ht", "hg.sr.ht"):
        return _sourcehut(host, segments)
    if host == "sr.ht" or host.endswith(".sr.ht"):
        raise _reject("sourcehut project hub or other page, not a repository")
    _not_documentation(host, segments)
    return _self_hosted(host, segments, vcs=vcs, schemeless=schemeless)


def _split_authority(rest: str) -> tuple[str, str]:
    """``user@host:port/path`` -> (host, path), dropping user and port. A user name or token
    is never part of the identity (and must not be stored). A port is dropped too: SSH and
    HTTPS reach the same repository on different ports. ``ssh://git@host:owner/name`` (an
    scp path pasted into a URL) reads the non-numeric "port" as the first path segment."""
    cut = len(rest)
    for mark in "/?#":
        at = rest.find(mark)
        if at != -1 and at < cut:
            cut = at
    authority, path = rest[:cut], rest[cut:]
    host = authority.rpartition("@")[2]
    host, colon, port = host.partition(":")
    if colon and port and not port.isdigit():
        path = f"{port}/{path}"
    return host, path


def _name(segment: str) -> str:
    # Only ``.git`` is a suffix to drop: ``owner/name.js`` is a real repository name. It is
    # dropped repeatedly so that the result never ends in ``.git`` and normalizing is
    # idempotent (hosts refuse repository names ending in ``.git`` anyway).
    while segment[-4:].lower() == ".git":
        segment = segment[:-4]
    return segment


def _check(segment: str, what: str) -> str:
    if not _SEGMENT.fullmatch(segment) or segment in (".", ".."):
        raise _reject(f"{what} is not a valid repository path segment: {segment[:60]!r}")
    return segment


def _github(segments: list[str]) -> tuple[str, str | None, str]:
    if not segments:
        raise _reject("GitHub home page, not a repository")
    if segments[0].lower() in _GITHUB_RESERVED:
        raise _reject(f"GitHub site page ({segments[0].lower()}), not a repository")
    if len(segments) < 2:
        raise _reject("GitHub owner or organisation page, not a repository")
    owner = _check(segments[0], "owner")
    name = _check(_name(segments[1]), "repository name")
    # github.com resolves owner and name case-insensitively: one repository, one spelling.
    return "github.com", owner.lower(), name.lower()


def _gist(segments: list[str]) -> tuple[str, str | None, str]:
    # ``gist.github.com/<id>`` or ``gist.github.com/<user>/<id>[/raw/...]``: keep the id.
    for segment in segments[1::-1] if len(segments) > 1 else segments:
        gist_id = _name(segment)
        if _GIST_ID.fullmatch(gist_id):
            return "gist.github.com", None, gist_id.lower()
    raise _reject("GitHub gist page without a gist id")


def _gitlab(
    host: str, segments: list[str], *, case_insensitive: bool
) -> tuple[str, str | None, str]:
    if segments and segments[0].lower() in _GITLAB_RESERVED:
        raise _reject(f"GitLab site page ({segments[0].lower()}), not a repository")
    kept = _until_tail(segments)
    if len(kept) < 2:
        raise _reject("GitLab group or user page, not a repository")
    *namespace, name = kept
    for segment in namespace:
        _check(segment, "namespace")
    name = _check(_name(name), "repository name")
    owner = "/".join(namespace)
    if case_insensitive:  # GitLab looks namespaces and projects up case-insensitively
        owner, name = owner.lower(), name.lower()
    return host, owner, name


def _two_level(
    host: str, segments: list[str], reserved: frozenset[str]
) -> tuple[str, str | None, str]:
    """Hosts with exactly ``owner/name`` (Bitbucket, Codeberg, Gitee); anything after is a
    tail."""
    if segments and segments[0].lower() in reserved:
        raise _reject(f"site page on {host} ({segments[0].lower()}), not a repository")
    if len(segments) < 2:
        raise _reject(f"owner page or home page on {host}, not a repository")
    owner = _check(segments[0], "owner")
    name = _check(_name(segments[1]), "repository name")
    if host in _CASE_INSENSITIVE:
        owner, name = owner.lower(), name.lower()
    return host, owner, name


def _sourcehut(host: str, segments: list[str]) -> tuple[str, str | None, str]:
    if len(segments) < 2:
        raise _reject("sourcehut user page, not a repository")
    if not _SOURCEHUT_OWNER.fullmatch(segments[0]):
        raise _reject(f"owner is not a sourcehut user: {segments[0][:60]!r}")
    # sourcehut user names are lower-case and always written with ``~``; repository names
    # keep their case.
    owner = "~" + segments[0].removeprefix("~").lower()
    return host, owner, _check(_name(segments[1]), "repository name")


def _not_documentation(host: str, segments: list[str]) -> None:
    if host.endswith(".github.io"):
        user = host.removesuffix(".github.io")
        hint = f"github.com/{user}/{segments[0]}" if segments else f"github.com/{user}"
        raise _reject(f"GitHub Pages site, not a repository (probably built from {hint})")
    if host.endswith(".gitlab.io"):
        raise _reject("GitLab Pages site, not a repository")
    if (
        host.startswith("docs.")
        or host in ("readthedocs.io", "readthedocs.org")
        or host.endswith((".readthedocs.io", ".readthedocs.org", ".readthedocs-hosted.com"))
    ):
        raise _reject("documentation site, not a repository")


def _until_tail(segments: list[str]) -> list[str]:
    """Segments up to the first tail word after ``owner/name``, or up to and including one
    ending in ``.git`` (``/cgit/linux.git/tree/...``)."""
    for index, segment in enumerate(segments):
        if index >= 2 and segment.lower() in _TAIL_WORDS:
            return segments[:index]
        if segment[-4:].lower() == ".git":
            return segments[: index + 1]
    return segments


def _self_hosted(
    host: str, segments: list[str], *, vcs: bool, schemeless: bool
) -> tuple[str, str | None, str]:
    labels = host.split(".")
    forge_like = any(label in _FORGE_LABELS for label in labels[:-1]) or any(
        "gitlab" in label or "gitea" in label for label in labels
    )
    dot_git = any(s[-4:].lower() == ".git" for s in segments)
    gitlab_like = "-" in segments[2:] or any("gitlab" in label for label in labels)
    if gitlab_like and (vcs or dot_git or forge_like or schemeless):
        # GitLab (``/-/`` separator or the host's name says so): namespaces may nest.
        return _gitlab(host, segments, case_insensitive=False)
    kept = _until_tail(segments)
    if vcs or dot_git or schemeless:
        # A git transport, a ``.git`` path or the canonical form itself: the whole path is
        # the repository (cgit, Gitolite and GitLab put repositories deeper than two levels).
        if len(kept) < 2:
            raise _reject(f"path on {host} is not owner/name")
    elif forge_like:
        # A forge's web page: only ``owner/name`` is sure to be a repository there.
        if len(kept) != 2:
            raise _reject(f"path on {host} is not owner/name")
    else:
        raise _reject(f"{host} is not a known code host and the link does not name a repository")
    *namespace, name = kept
    for segment in namespace:
        _check(segment, "owner")
    return host, "/".join(namespace), _check(_name(name), "repository name")

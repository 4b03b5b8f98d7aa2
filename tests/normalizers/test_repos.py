"""Repository URLs -> ``host/owner/name``: every spelling package metadata uses (PyPI
Project-URL and home_page, npm ``repository``, Maven ``<scm>``, crates.io ``repository``),
and links that are not repositories rejected with a reason."""

from __future__ import annotations

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from ossmeta.normalizers.repos import _GITHUB_RESERVED, RepoUrl, canonical_repo_url, repo_from_npm

GH = "github.com/psf/requests"

# (raw, expected canonical); None means rejected.
CASES: list[tuple[str, str | None]] = [
    # GitHub, every spelling
    ("https://github.com/psf/requests", GH),
    ("https://github.com/PSF/Requests", GH),
    ("http://github.com/psf/requests", GH),
    ("https://www.github.com/psf/requests", GH),
    ("https://WWW.GitHub.com/psf/requests", GH),
    ("https://github.com/psf/requests/", GH),
    ("https://github.com/psf/requests.git", GH),
    ("https://github.com/psf/requests.git/", GH),
    ("git+https://github.com/psf/requests.git", GH),
    ("git+ssh://git@github.com/psf/requests.git", GH),
    ("git+git://github.com/psf/requests.git", GH),
    ("ssh://git@github.com:22/psf/requests", GH),
    ("ssh://git@github.com/psf/requests.git", GH),
    ("ssh://git@github.com:psf/requests.git", GH),  # scp path pasted into a URL
    ("git@github.com:psf/requests.git", GH),
    ("git@github.com:psf/requests", GH),
    ("github.com:psf/requests.git", GH),
    ("git://github.com/psf/requests.git", GH),
    ("https://github.com/psf/requests/tree/main/src/requests", GH),
    ("https://github.com/psf/requests/blob/main/README.md", GH),
    ("https://github.com/psf/requests/issues", GH),
    ("https://github.com/psf/requests/issues/6000", GH),
    ("https://github.com/psf/requests/pulls", GH),
    ("https://github.com/psf/requests/wiki", GH),
    ("https://github.com/psf/requests/releases/tag/v2.32.3", GH),
    ("https://github.com/psf/requests#readme", GH),
    ("https://github.com/psf/requests?tab=readme-ov-file", GH),
    ("https://github.com/psf/requests/?tab=readme-ov-file#installation", GH),
    ("  https://github.com/psf/requests\n", GH),
    ("<https://github.com/psf/requests>", GH),
    ("https://user:secret@github.com/psf/requests", GH),
    ("github.com/psf/requests", GH),  # the canonical form itself
    ("//github.com/psf/requests", GH),
    ("https://raw.githubusercontent.com/psf/requests/main/setup.py", GH),
    ("https://api.github.com/repos/psf/requests", GH),
    ("https://github.com/jashkenas/underscore.js", "github.com/jashkenas/underscore.js"),
    ("https://github.com/chartjs/Chart.js.git", "github.com/chartjs/chart.js"),
    ("https://github.com/pypa/.github", "github.com/pypa/.github"),
    ("https://github.com/rust-lang/rust-clippy", "github.com/rust-lang/rust-clippy"),
    # npm shorthands (also accepted directly)
    ("github:psf/requests", GH),
    ("gitlab:inkscape/inkscape", "gitlab.com/inkscape/inkscape"),
    ("bitbucket:atlassian/python-bitbucket", "bitbucket.org/atlassian/python-bitbucket"),
    ("gist:2e8a5e1f9d0c", "gist.github.com/2e8a5e1f9d0c"),
    (
        "https://gist.github.com/octocat/6cad326836d38bd3a7ae",
        "gist.github.com/6cad326836d38bd3a7ae",
    ),
    ("https://gist.github.com/6cad326836d38bd3a7ae.git", "gist.github.com/6cad326836d38bd3a7ae"),
    # Maven <scm>
    ("scm:git:git@github.com:apache/commons-lang.git", "github.com/apache/commons-lang"),
    ("scm:git:https://github.com/apache/commons-lang.git", "github.com/apache/commons-lang"),
    (
        "scm:git:ssh://git@github.com/FasterXML/jackson-core.git",
        "github.com/fasterxml/jackson-core",
    ),
    ("scm:git|https://github.com/qos-ch/slf4j", "github.com/qos-ch/slf4j"),
    ("scm:git:git://github.com/google/guava.git", "github.com/google/guava"),
    (
        "scm:svn:https://svn.apache.org/repos/asf/commons/proper/lang/trunk",
        "svn.apache.org/repos/asf/commons/proper/lang",
    ),
    # GitLab: subgroups kept up to /-/
    ("https://gitlab.com/gitlab-org/gitlab", "gitlab.com/gitlab-org/gitlab"),
    ("https://gitlab.com/Group/SubGroup/Project", "gitlab.com/group/subgroup/project"),
    (
        "https://gitlab.com/group/subgroup/project/-/tree/main/docs",
        "gitlab.com/group/subgroup/project",
    ),
    ("https://gitlab.com/group/subgroup/project/-/issues/12", "gitlab.com/group/subgroup/project"),
    ("git@gitlab.com:group/subgroup/project.git", "gitlab.com/group/subgroup/project"),
    ("https://gitlab.com/group/project/tree/master", "gitlab.com/group/project"),  # old GitLab
    # Bitbucket, Codeberg, sourcehut, Gitee
    (
        "https://bitbucket.org/Atlassian/Python-Bitbucket/src/master/",
        "bitbucket.org/atlassian/python-bitbucket",
    ),
    (
        "git@bitbucket.org:atlassian/python-bitbucket.git",
        "bitbucket.org/atlassian/python-bitbucket",
    ),
    ("https://codeberg.org/Forgejo/forgejo", "codeberg.org/forgejo/forgejo"),
    (
        "https://codeberg.org/forgejo/forgejo/src/branch/forgejo/README.md",
        "codeberg.org/forgejo/forgejo",
    ),
    ("https://git.sr.ht/~sircmpwn/scdoc", "git.sr.ht/~sircmpwn/scdoc"),
    ("https://git.sr.ht/~SirCmpwn/scdoc/tree/master/item/README.md", "git.sr.ht/~sircmpwn/scdoc"),
    ("git@git.sr.ht:~sircmpwn/scdoc", "git.sr.ht/~sircmpwn/scdoc"),
    ("https://hg.sr.ht/~user/Repo", "hg.sr.ht/~user/Repo"),  # repository names keep case
    ("https://gitee.com/openharmony/docs", "gitee.com/openharmony/docs"),
    ("https://gitee.com/MindSpore/mindspore.git", "gitee.com/MindSpore/mindspore"),
    # self-hosted forges
    ("https://git.example.org/owner/name", "git.example.org/owner/name"),
    ("https://gitea.example.org/Owner/Name/src/branch/main", "gitea.example.org/Owner/Name"),
    (
        "https://gitlab.example.org/group/sub/project/-/tree/main",
        "gitlab.example.org/group/sub/project",
    ),
    ("https://code.example.org/team/tool.git", "code.example.org/team/tool"),
    ("ssh://git@forge.example.org:2222/team/tool.git", "forge.example.org/team/tool"),
    ("git@scm.example.org:team/tool.git", "scm.example.org/team/tool"),
    ("https://example.org/cgit/tools/linux.git/tree/README", "example.org/cgit/tools/linux"),
    ("git://example.org/pub/scm/tools/tool.git", "example.org/pub/scm/tools/tool"),
    # rejected: not a URL, placeholders
    ("", None),
    ("   ", None),
    ("UNKNOWN", None),
    ("None", None),
    ("n/a", None),
    ("https://", None),
    ("psf/requests", None),  # npm's bare shorthand is only read by repo_from_npm
    ("see the README", None),
    ("${project.scm.url}", None),
    ("https://github.com/${owner}/${name}", None),
    ("mailto:someone@example.org", None),
    ("file:///home/me/src/project", None),
    ("ftp://ftp.example.org/pub/project", None),
    ("C:\\src\\project", None),
    ("http://localhost/owner/name", None),
    # rejected: web pages that are not repositories
    ("https://registry.example/project/x", None),
    ("https://registry.example/package/left-pad", None),
    ("https://example.com", None),
    ("https://example.com/", None),
    ("https://www.example.com/about/team", None),
    ("https://docs.python.org/3/library/urllib.parse.html", None),
    ("https://readthedocs.io/en/latest", None),
    ("https://requests.readthedocs.io/en/latest/", None),
    ("https://github.com", None),
    ("https://github.com/", None),
    ("https://github.com/psf", None),
    ("https://github.com/psf/", None),
    ("https://github.com/sponsors/octocat", None),
    ("https://github.com/orgs/psf/people", None),
    ("https://github.com/topics/python", None),
    ("https://github.com/marketplace/actions/checkout", None),
    ("https://psf.github.io/requests", None),
    ("https://psf.github.io", None),
    ("https://group.gitlab.io/project", None),
    ("https://gitlab.com/gitlab-org", None),
    ("https://gitlab.com/explore/projects", None),
    ("https://bitbucket.org/atlassian", None),
    ("https://git.sr.ht/~sircmpwn", None),
    ("https://sr.ht/~sircmpwn/scdoc", None),
    ("https://gist.github.com/octocat", None),
    ("https://github.com/psf/re%20quests", None),
    ("https://github.com/psf/..", None),
]


def test_table_is_large() -> None:
    assert len(CASES) >= 60
    assert len({raw for raw, _ in CASES}) == len(CASES)


@pytest.mark.parametrize(("raw", "expected"), CASES)
def test_canonical(raw: str, expected: str | None) -> None:
    result = canonical_repo_url(raw)
    assert result.raw == raw
    assert result.canonical == expected, result.reason
    if expected is None:
        assert result.reason  # every rejection says why
        assert (result.host, result.owner, result.name) == (None, None, None)
    else:
        assert result.reason is None
        assert result.host is not None and result.name is not None
        owner_part = [] if result.owner is None else [result.owner]
        assert "/".join([result.host, *owner_part, result.name]) == expected


def test_parts() -> None:
    assert canonical_repo_url("git@github.com:PSF/Requests.git") == RepoUrl(
        GH, "github.com", "psf", "requests", "git@github.com:PSF/Requests.git", None
    )
    sub = canonical_repo_url("https://gitlab.com/group/subgroup/project")
    assert (sub.host, sub.owner, sub.name) == ("gitlab.com", "group/subgroup", "project")
    gist = canonical_repo_url("gist:abc123")
    assert (gist.host, gist.owner, gist.name) == ("gist.github.com", None, "abc123")


@pytest.mark.parametrize(
    ("raw", "words"),
    [
        ("UNKNOWN", "placeholder"),
        ("psf/requests", "repo_from_npm"),
        ("https://github.com/psf", "owner"),
        ("https://github.com/sponsors/x", "sponsors"),
        ("https://psf.github.io/requests", "github.com/psf/requests"),  # a hint for curators
        ("https://requests.readthedocs.io/", "documentation"),
        ("https://registry.example/project/x", "not a known code host"),
        ("${project.scm.url}", "Maven property"),
        ("file:///x", "scheme"),
    ],
)
def test_reasons(raw: str, words: str) -> None:
    reason = canonical_repo_url(raw).reason
    assert reason is not None and words in reason


# -- npm -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "url"),
    [
        ("https://github.com/npm/cli", "https://github.com/npm/cli"),
        ("git+https://github.com/npm/cli.git", "git+https://github.com/npm/cli.git"),
        ("github:npm/cli", "https://github.com/npm/cli"),
        ("github:npm/cli#v10.0.0", "https://github.com/npm/cli"),
        ("gitlab:group/project", "https://gitlab.com/group/project"),
        ("bitbucket:user/repo", "https://bitbucket.org/user/repo"),
        ("gist:11081aaa281", "https://gist.github.com/11081aaa281"),
        ("npm/cli", "https://github.com/npm/cli"),
        ("expressjs/express#4.x", "https://github.com/expressjs/express"),
        (
            {"type": "git", "url": "git+https://github.com/npm/cli.git"},
            "git+https://github.com/npm/cli.git",
        ),
        (
            {
                "type": "git",
                "url": "https://github.com/babel/babel.git",
                "directory": "packages/babel-core",
            },
            "https://github.com/babel/babel.git",
        ),
        ({"type": "git", "url": "github:npm/cli"}, "https://github.com/npm/cli"),
        ([{"type": "git", "url": "git://github.com/old/pkg.git"}], "git://github.com/old/pkg.git"),
        ([{"type": "git"}, "github:a/b"], "https://github.com/a/b"),
        ("", None),
        ("   ", None),
        ({"type": "git"}, None),
        ({"url": 3}, None),
        (None, None),
        (42, None),
        ([], None),
    ],
)
def test_repo_from_npm(value: object, url: str | None) -> None:
    assert repo_from_npm(value) == url


@pytest.mark.parametrize(
    "value",
    [
        "github:npm/cli",
        "npm/cli",
        "git+ssh://git@github.com/npm/cli.git",
        {"type": "git", "url": "git+https://github.com/npm/cli.git", "directory": "workspaces/x"},
        "https://github.com/npm/cli#readme",
    ],
)
def test_npm_shapes_meet(value: object) -> None:
    url = repo_from_npm(value)
    assert url is not None
    assert canonical_repo_url(url).canonical == "github.com/npm/cli"


# -- properties ----------------------------------------------------------------------------

_TEXT = st.one_of(
    st.text(max_size=80),
    st.text(alphabet="abcGH.-_~/:@#?+%$ {}<>019", max_size=60),
    st.builds(
        "".join,
        st.lists(
            st.sampled_from(
                [
                    "https://",
                    "http://",
                    "git+",
                    "ssh://",
                    "git://",
                    "scm:git:",
                    "scm:",
                    "git@",
                    "github.com",
                    "gitlab.com",
                    "git.sr.ht",
                    "www.",
                    "gist.github.com",
                    ".github.io",
                    "git.example.org",
                    ":",
                    ":22",
                    "/",
                    "//",
                    "~",
                    "-",
                    ".git",
                    ".js",
                    "owner",
                    "Name",
                    "tree",
                    "#readme",
                    "?tab=x",
                    "github:",
                    "gist:",
                    "@",
                    "..",
                    ".",
                    " ",
                    "repos",
                    "sponsors",
                    "${x}",
                    "<",
                    ">",
                ]
            ),
            max_size=10,
        ),
    ),
)


@settings(max_examples=1000)
@given(_TEXT)
def test_never_raises_and_idempotent(raw: str) -> None:
    result = canonical_repo_url(raw)
    assert (result.canonical is None) == (result.reason is not None)
    if result.canonical is not None:
        again = canonical_repo_url(result.canonical)
        assert again.canonical == result.canonical, again.reason
        assert (again.host, again.owner, again.name) == (result.host, result.owner, result.name)


@given(
    st.one_of(
        st.none(),
        st.integers(),
        st.text(),
        st.dictionaries(st.text(), st.text()),
        st.lists(st.text()),
    )
)
def test_repo_from_npm_never_raises(value: object) -> None:
    url = repo_from_npm(value)
    if url is not None:
        canonical_repo_url(url)


_OWNER = st.from_regex(r"[A-Za-z0-9][A-Za-z0-9-]{0,15}", fullmatch=True)
_NAME = st.from_regex(r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,20}", fullmatch=True).filter(
    lambda n: not n.lower().endswith(".git")
)
_SPELLINGS = [
    "https://github.com/{o}/{n}",
    "http://github.com/{o}/{n}",
    "https://www.github.com/{o}/{n}",
    "https://github.com/{o}/{n}.git",
    "https://github.com/{o}/{n}/",
    "git+https://github.com/{o}/{n}.git",
    "git+ssh://git@github.com/{o}/{n}.git",
    "ssh://git@github.com:22/{o}/{n}",
    "ssh://git@github.com/{o}/{n}.git",
    "git@github.com:{o}/{n}.git",
    "git://github.com/{o}/{n}.git",
    "https://github.com/{o}/{n}/tree/main/sub/dir",
    "https://github.com/{o}/{n}/blob/main/README.md",
    "https://github.com/{o}/{n}/issues",
    "https://github.com/{o}/{n}/pulls",
    "https://github.com/{o}/{n}/wiki",
    "https://github.com/{o}/{n}#readme",
    "https://github.com/{o}/{n}?tab=readme-ov-file",
    "scm:git:git@github.com:{o}/{n}.git",
    "scm:git:https://github.com/{o}/{n}.git",
    "github:{o}/{n}",
    "github.com/{o}/{n}",
]


@given(_OWNER, _NAME, st.data())
def test_github_spellings_agree(owner: str, name: str, data: st.DataObject) -> None:
    assume(owner.lower() not in _GITHUB_RESERVED)  # site pages such as github.com/sponsors
    expected = f"github.com/{owner.lower()}/{name.lower()}"
    # any case mix of the same owner/name, in every spelling
    o = "".join(data.draw(st.sampled_from([c.lower(), c.upper()])) for c in owner)
    n = "".join(data.draw(st.sampled_from([c.lower(), c.upper()])) for c in name)
    got = {canonical_repo_url(s.format(o=o, n=n)).canonical for s in _SPELLINGS}
    assert got == {expected}

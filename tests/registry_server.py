"""A synthetic registry universe served on loopback, for the sync tests and the sync benchmark.

``Universe`` generates, deterministically from a seed, PyPI projects (JSON API project and
release documents, PEP 691 simple pages, the serial header and the XML-RPC changelog), npm
packuments (with the replication ``_changes`` feed and its root), crates (sparse index,
web API, ``config.json``) and Maven artifacts (``maven-metadata.xml``, POMs with a shared
parent). Documents follow the registries' documented shapes at realistic sizes. ``publish``
adds a version (what ``--changed`` must pick up); ``faults`` makes chosen names fail.
``handler`` plugs into ``tests.loopback.serve``; every document has a strong ETag, and a
matching ``If-None-Match`` gets 304.

Two knobs are for the sync benchmark, which wants documents of real sizes; their defaults
keep the small documents the tests are written against: ``description_bytes`` sets the
length of PyPI's long description and npm's readme, ``full_documents`` adds the fields
real documents carry that ossmeta reads little or nothing of (npm's ``scripts``,
``_npmUser``, ``dist.signatures``..., PyPI's ``keywords``, ``downloads``, more
classifiers, per-file ``md5_digest``...).
"""

from __future__ import annotations

import base64
import hashlib
import random
import threading
import xmlrpc.client
from dataclasses import dataclass, field
from urllib.parse import parse_qs, unquote, urlsplit

import orjson

Response = tuple[int, dict[str, str], bytes]

_WORDS = [
    "aurora",
    "cache",
    "fennec",
    "http",
    "quill",
    "lex",
    "vellum",
    "parse",
    "tide",
    "water",
    "kit",
    "orbit",
    "lumen",
    "flux",
    "ember",
    "quartz",
    "nimbus",
    "pylon",
    "sable",
    "tern",
    "vortex",
    "willow",
    "yarrow",
    "zephyr",
]
_LICENSES = ["MIT", "Apache 2.0", "BSD", "GPLv3+", "Apache-2.0", "MIT License", "", "ISC"]
_NPM_LICENSES = ["MIT", "ISC", "Apache-2.0", "(MIT OR Apache-2.0)", "BSD-3-Clause"]


def _iso(day: int) -> str:
    return f"20{18 + day // 365:02d}-{1 + day % 365 // 31:02d}-{1 + day % 28:02d}T10:00:00.000000Z"


@dataclass
class Universe:
    seed: int = 1
    pypi_names: list[str] = field(default_factory=list)
    npm_names: list[str] = field(default_factory=list)
    crate_names: list[str] = field(default_factory=list)
    maven_names: list[str] = field(default_factory=list)  # group:artifact
    versions: int = 12  # per package
    faults: dict[str, str] = field(default_factory=dict)  # name -> "500" | "bad-json" | "loop"
    serial: int = 1000
    seq: int = 5000
    changelog: list[tuple[str, int]] = field(default_factory=list)
    changes: list[tuple[str, int]] = field(default_factory=list)
    extra: dict[str, int] = field(default_factory=dict)  # name -> versions published since
    description_bytes: int | None = None  # None: the short texts the tests expect
    full_documents: bool = False
    lock: threading.Lock = field(default_factory=threading.Lock)

    @classmethod
    def make(
        cls, pypi: int = 0, npm: int = 0, crates: int = 0, maven: int = 0, **kw: object
    ) -> Universe:
        u = cls(**kw)  # type: ignore[arg-type]
        u.pypi_names = [f"{_WORDS[i % len(_WORDS)]}-{i}" for i in range(pypi)]
        u.npm_names = [
            (f"@scope{i % 7}/" if i % 5 == 0 else "") + f"{_WORDS[i % len(_WORDS)]}-js-{i}"
            for i in range(npm)
        ]
        u.crate_names = [f"{_WORDS[i % len(_WORDS)]}_rs{i}" for i in range(crates)]
        u.maven_names = [f"org.example.g{i % 3}:art-{i}" for i in range(maven)]
        return u

    # ------------------------------------------------------------------ shared pieces
    def _rng(self, name: str) -> random.Random:
        return random.Random(f"{self.seed}:{name}")

    def _versions(self, name: str) -> list[str]:
        count = self.versions + self.extra.get(name, 0)
        return [f"{1 + n // 5}.{n % 5}.{n % 3}" for n in range(count)]

    def _text(self, name: str, default: str) -> str:
        """The long description / readme: ``default`` unless ``description_bytes`` is set,
        then prose of that length (varied per package, so no two bodies are the same)."""
        if self.description_bytes is None:
            return default
        words = [_WORDS[(len(name) + i * 7) % len(_WORDS)] for i in range(64)]
        prose = f"# {name}\n\n" + " ".join(words) + ".\n\n"
        return (prose * (self.description_bytes // len(prose) + 1))[: self.description_bytes]

    def publish(self, registry: str, name: str) -> None:
        """A new version of ``name`` appears, and the change feeds say so."""
        with self.lock:
            self.extra[name] = self.extra.get(name, 0) + 1
            if registry == "pypi":
                self.serial += 1
                self.changelog.append((name, self.serial))
            elif registry == "npm":
                self.seq += 1
                self.changes.append((name, self.seq))

    # ------------------------------------------------------------------ PyPI
    def _pypi_files(self, name: str, version: str, base: str) -> list[dict[str, object]]:
        stem = name.replace("-", "_")
        files = []
        for n, suffix in enumerate(("-py3-none-any.whl", ".tar.gz")):
            filename = f"{stem}-{version}{suffix}"
            digest = hashlib.sha256(filename.encode()).hexdigest()
            files.append(
                {
                    "filename": filename,
                    "url": f"{base}/files/{filename}",
                    "digests": {"sha256": digest, "md5": digest[:32], "blake2b_256": digest},
                    "packagetype": "bdist_wheel" if n == 0 else "sdist",
                    "requires_python": ">=3.8",
                    "size": 10_000 + len(filename) * 37,
                    "upload_time_iso_8601": _iso(hash(filename) % 2000),
                    "yanked": False,
                    "yanked_reason": None,
                }
            )
            if self.full_documents:
                files[-1].update(
                    {
                        "comment_text": "",
                        "has_sig": False,
                        "md5_digest": digest[:32],
                        "python_version": "py3" if n == 0 else "source",
                        "upload_time": str(files[-1]["upload_time_iso_8601"])[:19],
                    }
                )
        return files

    def _pypi_info(self, name: str, version: str, base: str = "") -> dict[str, object]:
        r = self._rng(name)
        deps = [
            f"{_WORDS[r.randrange(len(_WORDS))]}-{r.randrange(50)}>={r.randrange(3)}.0"
            for _ in range(r.randrange(5))
        ]
        info: dict[str, object] = {
            "name": name,
            "version": version,
            "summary": f"{name} does one thing well",
            "description": self._text(name, "Long description. " * 40),
            "license": _LICENSES[r.randrange(len(_LICENSES))],
            "license_expression": None,
            "classifiers": [
                "Programming Language :: Python :: 3",
                "License :: OSI Approved :: MIT License",
            ],
            "home_page": f"https://{name}.example.org",
            "project_urls": {
                "Source": f"https://github.com/{name}/{name}",
                "Docs": f"https://{name}.example.org/docs",
            },
            "author": "Ada Example",
            "author_email": "ada@example.org",
            "maintainer": None,
            "maintainer_email": None,
            "requires_dist": [*deps, 'pytest; extra == "test"'],
            "requires_python": ">=3.8",
            "yanked": False,
            "yanked_reason": None,
        }
        if self.full_documents:
            info["classifiers"] = [
                "Development Status :: 5 - Production/Stable",
                "Intended Audience :: Developers",
                "License :: OSI Approved :: MIT License",
                "Operating System :: OS Independent",
                "Programming Language :: Python",
                "Programming Language :: Python :: 3",
                *(f"Programming Language :: Python :: 3.{minor}" for minor in range(8, 14)),
                "Programming Language :: Python :: Implementation :: CPython",
                "Topic :: Software Development :: Libraries",
                "Typing :: Typed",
            ]
            info.update(
                {
                    "keywords": ",".join(_WORDS[len(name) % 8 : len(name) % 8 + 5]),
                    "platform": None,
                    "description_content_type": "text/markdown",
                    "downloads": {"last_day": -1, "last_month": -1, "last_week": -1},
                    "package_url": f"{base}/project/{name}/",
                    "project_url": f"{base}/project/{name}/",
                    "release_url": f"{base}/project/{name}/{version}/",
                    "docs_url": None,
                    "bugtrack_url": None,
                    "dynamic": None,
                    "provides_extra": ["test"],
                }
            )
        return info

    def pypi_project(self, name: str, base: str) -> dict[str, object]:
        versions = self._versions(name)
        return {
            "info": self._pypi_info(name, versions[-1], base),
            "releases": {v: self._pypi_files(name, v, base) for v in versions},
            "urls": self._pypi_files(name, versions[-1], base),
            "last_serial": self.serial,
            "vulnerabilities": [],
        }

    def pypi_simple(self, name: str, base: str) -> dict[str, object]:
        versions = self._versions(name)
        files = [
            {
                "filename": f["filename"],
                "url": f["url"],
                "hashes": {"sha256": f["digests"]["sha256"]},  # type: ignore[index]
                "requires-python": ">=3.8",
                "yanked": v == versions[0] and "broken build",
                "size": f["size"],
                "upload-time": f["upload_time_iso_8601"],
            }
            for v in versions
            for f in self._pypi_files(name, v, base)
        ]
        return {
            "meta": {"api-version": "1.1", "_last-serial": self.serial},
            "name": name,
            "files": files,
            "versions": versions,
        }

    def pypi_release(self, name: str, version: str, base: str) -> dict[str, object]:
        return {
            "info": self._pypi_info(name, version, base),
            "urls": self._pypi_files(name, version, base),
            "last_serial": self.serial,
            "vulnerabilities": [],
        }

    # ------------------------------------------------------------------ npm
    def packument(self, name: str, base: str) -> dict[str, object]:
        r = self._rng(name)
        versions = self._versions(name)
        manifests = {}
        for v in versions:
            deps = {
                f"{_WORDS[r.randrange(len(_WORDS))]}-js-{r.randrange(50)}": f"^{r.randrange(4)}.0.0"
                for _ in range(r.randrange(6))
            }
            tarball = f"{base}/{name}/-/{name.rsplit('/', 1)[-1]}-{v}.tgz"
            manifests[v] = {
                "name": name,
                "version": v,
                "description": f"{name} for the web",
                "license": _NPM_LICENSES[r.randrange(len(_NPM_LICENSES))],
                "repository": {
                    "type": "git",
                    "url": f"git+https://github.com/acme-js/{name.rsplit('/', 1)[-1]}.git",
                },
                "dependencies": deps,
                "devDependencies": {"tap": "^16.0.0"},
                "dist": self._npm_dist(tarball),
                "maintainers": [{"name": "ada", "email": "ada@example.org"}],
                "_id": f"{name}@{v}",
            }
            if self.full_documents:
                manifests[v].update(self._npm_extras(name, v, tarball))
        times = {v: _iso(n * 17) for n, v in enumerate(versions)}
        return {
            "_id": name,
            "name": name,
            "dist-tags": {"latest": versions[-1]},
            "versions": manifests,
            "time": {"created": _iso(0), "modified": _iso(len(versions) * 17), **times},
            "maintainers": [{"name": "ada", "email": "ada@example.org"}],
            "description": f"{name} for the web",
            "license": "MIT",
            "readme": self._text(name, "# readme\n" + "text " * 200),
        }

    def _npm_extras(self, name: str, version: str, tarball: str) -> dict[str, object]:
        """What a real version manifest carries besides the fields ossmeta reads most."""
        short = name.rsplit("/", 1)[-1]
        home = f"https://github.com/acme-js/{short}"
        digest = hashlib.sha512(f"{tarball}#sig".encode()).digest()
        return {
            "main": "index.js",
            "types": "index.d.ts",
            "files": ["index.js", "index.d.ts", "lib/"],
            "scripts": {
                "test": "tap test/*.js --coverage",
                "build": "tsc -p tsconfig.build.json",
                "lint": "eslint . --ext .js,.ts",
                "prepublishOnly": "npm run build && npm test",
            },
            "keywords": _WORDS[len(name) % 8 : len(name) % 8 + 6],
            "author": {"name": "Ada Example", "email": "ada@example.org", "url": home},
            "homepage": f"{home}#readme",
            "bugs": {"url": f"{home}/issues"},
            "engines": {"node": ">=14"},
            "devDependencies": {
                "tap": "^16.0.0",
                "eslint": "^8.50.0",
                "typescript": "^5.2.0",
                "@types/node": "^20.8.0",
            },
            "gitHead": hashlib.sha1(f"{name}@{version}".encode()).hexdigest(),
            "_npmUser": {"name": "ada", "email": "ada@example.org"},
            "_npmVersion": "9.8.1",
            "_nodeVersion": "18.18.0",
            "_hasShrinkwrap": False,
            "directories": {},
            "dist": {
                **self._npm_dist(tarball),
                "fileCount": 12,
                "unpackedSize": 40_000 + len(name) * 97,
                "signatures": [
                    {
                        "keyid": "SHA256:" + base64.b64encode(digest[:32]).decode().rstrip("="),
                        "sig": base64.b64encode(digest[:70]).decode(),
                    }
                ],
            },
        }

    @staticmethod
    def _npm_dist(tarball: str) -> dict[str, object]:
        return {
            "tarball": tarball,
            "shasum": hashlib.sha1(tarball.encode()).hexdigest(),
            "integrity": "sha512-"
            + base64.b64encode(hashlib.sha512(tarball.encode()).digest()).decode(),
        }

    # ------------------------------------------------------------------ crates
    def crate_index(self, name: str) -> bytes:
        r = self._rng(name)
        lines = []
        for v in self._versions(name):
            deps = [
                {
                    "name": f"{_WORDS[r.randrange(len(_WORDS))]}_rs{r.randrange(50)}",
                    "req": f"^{r.randrange(3)}.1",
                    "features": [],
                    "optional": False,
                    "default_features": True,
                    "target": None,
                    "kind": "normal",
                }
                for _ in range(r.randrange(4))
            ]
            lines.append(
                orjson.dumps(
                    {
                        "name": name,
                        "vers": v,
                        "deps": deps,
                        "cksum": hashlib.sha256(f"{name}{v}".encode()).hexdigest(),
                        "features": {},
                        "yanked": False,
                        "v": 2,
                    }
                )
            )
        return b"\n".join(lines) + b"\n"

    def crate_doc(self, name: str) -> dict[str, object]:
        versions = self._versions(name)
        return {
            "crate": {
                "name": name,
                "description": f"{name} in Rust",
                "homepage": None,
                "repository": f"https://github.com/{name}/{name}",
                "max_version": versions[-1],
                "updated_at": _iso(len(versions)),
                "created_at": _iso(0),
            },
            "versions": [
                {
                    "num": v,
                    "license": "MIT/Apache-2.0",
                    "yanked": False,
                    "created_at": _iso(n),
                    "crate_size": 1000,
                    "published_by": {"login": "ada", "name": "Ada"},
                }
                for n, v in enumerate(versions)
            ],
            "keywords": [],
            "categories": [],
        }

    # ------------------------------------------------------------------ Maven
    def pom(self, group: str, artifact: str, version: str) -> str | None:
        if artifact == "parent":
            loop = any(
                self.faults.get(n) == "loop" and n.startswith(group + ":") for n in self.maven_names
            )
            parent = (
                f"<parent><groupId>{group}</groupId><artifactId>parent</artifactId><version>1</version></parent>"
                if loop
                else ""
            )
            return (
                f"<project><modelVersion>4.0.0</modelVersion>{parent}<groupId>{group}</groupId><artifactId>parent</artifactId>"
                f"<version>{version}</version><packaging>pom</packaging><url>https://example.org/{group}</url>"
                "<licenses><license><name>Apache License, Version 2.0</name></license></licenses>"
                f"<scm><url>https://github.com/{group}/parent</url></scm>"
                "<properties><dep.version>2.1.0</dep.version></properties>"
                "<dependencyManagement><dependencies><dependency><groupId>org.lib</groupId><artifactId>core</artifactId><version>${dep.version}</version></dependency></dependencies></dependencyManagement>"
                "</project>"
            )
        if f"{group}:{artifact}" not in self.maven_names or version not in self._versions(
            f"{group}:{artifact}"
        ):
            return None
        return (
            f"<project><modelVersion>4.0.0</modelVersion><parent><groupId>{group}</groupId><artifactId>parent</artifactId><version>1</version></parent>"
            f"<artifactId>{artifact}</artifactId><version>{version}</version><description>{artifact} library</description>"
            f"<scm><url>https://github.com/{group}/{artifact}</url></scm>"
            "<dependencies><dependency><groupId>org.lib</groupId><artifactId>core</artifactId></dependency>"
            "<dependency><groupId>junit</groupId><artifactId>junit</artifactId><version>4.13.2</version><scope>test</scope></dependency></dependencies>"
            "</project>"
        )

    def maven_metadata(self, group: str, artifact: str) -> str:
        versions = self._versions(f"{group}:{artifact}")
        listed = "".join(f"<version>{v}</version>" for v in versions)
        return (
            f"<metadata><groupId>{group}</groupId><artifactId>{artifact}</artifactId><versioning>"
            f"<latest>{versions[-1]}</latest><release>{versions[-1]}</release><versions>{listed}</versions>"
            "<lastUpdated>20240101000000</lastUpdated></versioning></metadata>"
        )

    # ------------------------------------------------------------------ HTTP
    def handler(self, origin: str) -> Handler:
        return Handler(self, origin)


def _json(document: object) -> bytes:
    return orjson.dumps(document)


class Handler:
    """``(method, raw path, headers, body) -> (status, headers, body)`` over a Universe.

    Paths: ``/pypi/...`` (``/pypi/NAME/json``, ``/pypi/NAME/VER/json``, XML-RPC POST
    ``/pypi``), ``/simple/...``, ``/npm/NAME`` and ``/npm-replicate/...``, ``/crates-index/...``,
    ``/crates-api/api/v1/crates/NAME``, ``/maven/...``."""

    def __init__(self, universe: Universe, origin: str) -> None:
        self.u = universe
        self.origin = origin

    def __call__(self, method: str, raw: str, headers: dict[str, str], body: bytes) -> Response:
        path = urlsplit(raw).path
        try:
            status, out_headers, data = self._route(method, path, raw, body)
        except KeyError:
            return 404, {}, b'{"message": "Not Found"}'
        if status == 200 and method == "GET":
            etag = '"' + hashlib.sha1(data).hexdigest() + '"'
            out_headers["ETag"] = etag
            if headers.get("if-none-match") == etag:
                return 304, {"ETag": etag}, b""
        return status, out_headers, data

    def _fault(self, name: str) -> Response | None:
        fault = self.u.faults.get(name)
        if fault == "500":
            return 500, {}, b"server error"
        if fault == "bad-json":
            return 200, {"Content-Type": "application/json"}, b'{"info": {"name": '
        return None

    def _route(self, method: str, path: str, raw: str, body: bytes) -> Response:
        u = self.u
        parts = [unquote(p) for p in path.strip("/").split("/")]
        head = {"Content-Type": "application/json", "X-PyPI-Last-Serial": str(u.serial)}
        if parts[0] == "pypi" and method == "POST":
            (since,), _ = xmlrpc.client.loads(body)
            events = [[n, "", 0, "new release", s] for n, s in u.changelog if s > since][:50]
            return (
                200,
                {"Content-Type": "text/xml"},
                xmlrpc.client.dumps((events,), methodresponse=True).encode(),
            )
        if parts[0] == "pypi" and parts[-1] == "json":
            name = parts[1]
            if name not in u.pypi_names:
                raise KeyError(name)
            if (fault := self._fault(name)) is not None:
                return fault
            base = self.origin
            if len(parts) == 3:
                return 200, head, _json(u.pypi_project(name, base))
            if parts[2] not in u._versions(name):
                raise KeyError(parts[2])
            return 200, head, _json(u.pypi_release(name, parts[2], base))
        if parts[0] == "simple":
            head["Content-Type"] = "application/vnd.pypi.simple.v1+json"
            if len(parts) == 1 or not parts[1]:
                return (
                    200,
                    head,
                    _json(
                        {"meta": {"api-version": "1.1", "_last-serial": u.serial}, "projects": []}
                    ),
                )
            if parts[1] not in u.pypi_names:
                raise KeyError(parts[1])
            return 200, head, _json(u.pypi_simple(parts[1], self.origin))
        if parts[0] == "npm":
            name = "/".join(parts[1:])
            if name not in u.npm_names:
                raise KeyError(name)
            return self._fault(name) or (
                200,
                {"Content-Type": "application/json"},
                _json(u.packument(name, self.origin + "/npm")),
            )
        if parts[0] == "npm-replicate":
            if len(parts) == 1:
                return 200, {}, _json({"db_name": "registry", "update_seq": u.seq})
            query = parse_qs(urlsplit(raw).query)
            since, limit = int(query["since"][0]), int(query["limit"][0])
            rows = [
                {"seq": s, "id": n, "changes": [{"rev": "1-a"}]} for n, s in u.changes if s > since
            ][:limit]
            return 200, {}, _json({"results": rows, "last_seq": rows[-1]["seq"] if rows else since})
        if parts[0] == "crates-index":
            if parts[1] == "config.json":
                return (
                    200,
                    {},
                    _json({"dl": self.origin + "/crates-dl", "api": self.origin + "/crates-api"}),
                )
            name = parts[-1]
            if name not in u.crate_names:
                raise KeyError(name)
            return self._fault(name) or (200, {"Content-Type": "text/plain"}, u.crate_index(name))
        if parts[0] == "crates-api":
            name = parts[-1]
            if name not in u.crate_names:
                raise KeyError(name)
            return 200, {}, _json(u.crate_doc(name))
        if parts[0] == "maven":
            *group_parts, artifact, last = parts[1:]
            if last == "maven-metadata.xml":
                group = ".".join(group_parts)
                if f"{group}:{artifact}" not in u.maven_names:
                    raise KeyError(artifact)
                return self._fault(f"{group}:{artifact}") or (
                    200,
                    {"Content-Type": "text/xml"},
                    u.maven_metadata(group, artifact).encode(),
                )
            *group_parts, artifact, version = [*group_parts, artifact]
            group = ".".join(group_parts)
            pom = u.pom(group, artifact, version)
            if pom is None:
                raise KeyError(last)
            return 200, {"Content-Type": "text/xml"}, pom.encode()
        raise KeyError(path)

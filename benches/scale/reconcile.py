#!/usr/bin/env python3
"""A straightforward Python reconcile, the benchmark's baseline (benches/scale/run.sh).

Reads the same inputs as `msmail reconcile --server SERVER --requestor EXPORT.TXT...`
in the benchmark's scenario (every requestor's evidence is a full export text,
`msmail generate --scenario restore --evidence import-text`): the server tree's
NETWORK.GLB -> XTN -> USR lists with their INF/TPL template data, and each export
text. Dicts keyed by the upper-cased address, as anyone would write it in an
afternoon from docs/formats.md. Prints the totals of missing adds, missing deletes
and modified entries, which must equal msmail's report (run.sh checks it).

Not a second implementation of msmail: no damage handling, no groups, no GAL,
no Dir-Sync numbers, only the list comparison that dominates the work.
"""
import os
import sys


def cstr(raw):
    """A CP850 text field: up to the first NUL, trailing spaces trimmed."""
    return raw.split(b"\0", 1)[0].decode("cp850").rstrip(" ")


def find(folder, name):
    """The file NAME in FOLDER, matched case-insensitively (or None)."""
    if not os.path.isdir(folder):
        return None
    for f in os.listdir(folder):
        if f.upper() == name.upper():
            return os.path.join(folder, f)
    return None


def read_bytes(root, folder, name):
    """The bytes of FOLDER/NAME under ROOT (names matched case-insensitively)."""
    with open(find(os.path.join(root, folder), name), "rb") as f:
        return f.read()


def read_template(root, mailbag):
    """(prompts, widths) of TPL/<mailbag>.TPL, or None."""
    path = find(os.path.join(root, "TPL"), mailbag + ".TPL")
    if path is None:
        return None
    fields = []
    with open(path, "rb") as f:
        for line in f.read().replace(b"\r\n", b"\n").replace(b"\r", b"\n").split(b"\n"):
            if not line:
                continue
            parts = line.decode("cp850").split("~")
            fields.append((parts[0], int(parts[2]), len(parts[5])))
    return fields


def server_view(root):
    """{scope: {ADDRESS: (full name, address, {prompt: value})}} from the USR lists."""
    views = {}
    networks = read_bytes(root, "GLB", "NETWORK.GLB")
    for n in range(0, len(networks) - 121, 122):
        rec = networks[n : n + 122]
        if rec[0] != 1 or rec[12] != 1:
            continue
        net, prefix = cstr(rec[1:12]), cstr(rec[13:22])
        xtns = read_bytes(root, "XTN", prefix + ".XTN")
        for x in range(0, len(xtns) - 697, 698):
            po_rec = xtns[x : x + 698]
            if po_rec[0] != 1:
                continue
            po, mailbag = cstr(po_rec[1:12]), cstr(po_rec[12:21])
            scope = f"PCM:{net}/{po}"
            fields = read_template(root, mailbag)
            inf = b""
            if fields:
                inf = read_bytes(root, "INF", mailbag + ".INF")
                size = sum(w + p for _, w, p in fields)
            entries = {}
            data = read_bytes(root, "USR", mailbag + ".USR")
            for u in range(0, len(data) - 52, 53):
                rec = data[u : u + 53]
                if rec[0] != 1:
                    continue
                name, mailbox = cstr(rec[1:32]), cstr(rec[32:43])
                address = f"{scope}/{mailbox}"
                values = {}
                inf_record = int.from_bytes(rec[44:48], "little")
                if fields and inf_record != 0xFFFFFFFF:
                    at = inf_record * size
                    for prompt, width, pre in fields:
                        at += pre
                        value = inf[at : at + width].decode("cp850").rstrip(" ")
                        at += width
                        if value:
                            values[prompt] = value
                entries[address.upper()] = (name, address, values)
            views[scope.upper()] = entries
    return views


def read_export(path):
    """(scope, {ADDRESS: (full name, address, {prompt: value})}) of an export text."""
    scope, entries, current = None, {}, None
    with open(path, "rb") as f:
        for raw in f:
            line = raw.decode("cp850").rstrip("\r\n")
            if line.startswith("R "):
                scope = line[2:].strip()
            elif line.startswith("A "):
                at = line.rfind(" PCM:")
                name, address = line[2:at].strip(), line[at + 1 :].strip()
                current = {}
                entries[address.upper()] = (name, address, current)
            elif line.startswith("- ") and current is not None:
                body = line[2:].replace("//", "\0")
                prompt, _, value = body.partition("/")
                current[prompt.replace("\0", "/")] = value.replace("\0", "/")
    return scope, entries


def main():
    server, exports = sys.argv[1], sys.argv[2:]
    views = server_view(server)
    adds = deletes = modified = 0
    for path in exports:
        scope, theirs = read_export(path)
        ours = views.get(scope.upper(), {})
        for key, (name, _, values) in theirs.items():
            mine = ours.get(key)
            if mine is None:
                adds += 1
            elif mine[0] != name or mine[2] != values:
                modified += 1
        deletes += sum(1 for key in ours if key not in theirs)
    print(f"missing_adds {adds} missing_deletes {deletes} modified {modified}")


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Embed a file as a C byte array: embed.py SYMBOL INPUT OUTPUT.

Writes `static const char SYMBOL[]` (NUL-terminated),
`static const unsigned long SYMBOL_len` (without the NUL) and
`static const char SYMBOL_sha256[]` (hex SHA-256 of the bytes: lets the
seccomp cache find the compiled built-in profile without parsing it).  A .json input
must parse, so a broken built-in profile fails the build, not the first run.
"""
import hashlib
import json
import sys


def main():
    sym, src, dst = sys.argv[1:4]
    data = open(src, 'rb').read()
    if src.endswith('.json'):
        try:
            json.loads(data.decode('utf-8'))
        except ValueError as e:
            sys.exit('%s: invalid JSON: %s' % (src, e))
    with open(dst, 'w') as out:
        out.write('/* generated from %s by lib/default-profile/embed.py; do not edit */\n' % src.split('/')[-1])
        out.write('static const char %s[] = {\n' % sym)
        for i in range(0, len(data), 16):
            out.write('  ' + ', '.join('0x%02x' % b for b in data[i:i + 16]) + ',\n')
        out.write('  0x00\n};\n')
        out.write('static const unsigned long %s_len = %d;\n' % (sym, len(data)))
        out.write('static const char %s_sha256[] = "%s";\n' % (sym, hashlib.sha256(data).hexdigest()))


if __name__ == '__main__':
    main()

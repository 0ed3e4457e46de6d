#!/usr/bin/env python3
"""Embed examples/targets/*.json in minirun: embed-targets.py OUTPUT INPUT...

Writes a table `mr_targets_embedded[]` of {name, text} (name: the file's
base name without .json), so that `--target runc` needs no file at run time.
Each input must parse as JSON: a broken list fails the build, not a run.
"""
import json
import os
import sys


def main():
    dst, srcs = sys.argv[1], sys.argv[2:]
    with open(dst, 'w') as out:
        out.write('/* generated from examples/targets by embed-targets.py; do not edit */\n')
        names = []
        for i, src in enumerate(srcs):
            data = open(src, 'rb').read()
            try:
                json.loads(data.decode('utf-8'))
            except ValueError as e:
                sys.exit('%s: invalid JSON: %s' % (src, e))
            names.append(os.path.basename(src)[:-len('.json')])
            out.write('static const char mr_target_text_%d[] = {\n' % i)
            for j in range(0, len(data), 16):
                out.write('  ' + ', '.join('0x%02x' % b for b in data[j:j + 16]) + ',\n')
            out.write('  0x00\n};\n')
        out.write('static const struct {\n  const char *name;\n  const char *text;\n} mr_targets_embedded[] = {\n')
        for i, n in enumerate(names):
            out.write('  {"%s", mr_target_text_%d},\n' % (n, i))
        out.write('};\n')


if __name__ == '__main__':
    main()

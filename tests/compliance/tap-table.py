#!/usr/bin/env python3
"""Tables from runtime-tools.sh's TAP logs: OUTDIR/NAME/TEST.{tap,err,rc}.

Per test and runtime: pass (every assertion ok, some may be skipped), skip
(every assertion skipped, or the plan 1..0), fail (a `not ok` that is not a
TODO, a missing or short plan, or a non-zero exit: the suite's tests exit 1
when the runtime failed to create or start the container).  Some tests print
several TAP streams one after the other: their plans add up.  The hook tests
(hooks, prestart, poststop...) print only 1..0 and report a failed check as
an "error" in a YAML diagnostic: fail with that error, else pass.  Two tests expect the
runtime to refuse the config (EXPECT_REFUSAL): they exit 0 and print nothing
when it did, and exit 1 when the container ran.  Writes OUTDIR/results.md and
OUTDIR/results.json and prints the counts.
"""
import argparse
import json
import os
import re
import sys

LINE = re.compile(r"^(not ok|ok)\b\s*(\d+)?\s*(?:-\s*)?(.*)$")
PLAN = re.compile(r"^1\.\.(\d+)")
# RuntimeInsideValidate(g, nil, nil) then util.Fatal when the container ran.
EXPECT_REFUSAL = {"process_capabilities_fail", "process_rlimits_fail"}


def parse_tap(text):
    asserts, plan, errors, yaml = [], None, [], None
    for line in text.splitlines():
        # tap-go writes its YAML blocks as indented JSON between --- and ...
        if line == "  ---":
            yaml = []
            continue
        if yaml is not None:
            if line == "  ...":
                try:
                    e = json.loads("\n".join(yaml)).get("error")
                except (ValueError, AttributeError):
                    e = None
                if e:
                    errors.append(str(e).splitlines()[0])
                yaml = None
            else:
                yaml.append(line)
            continue
        # Diagnostics are indented or start with #; TAP lines start at column 0.
        m = PLAN.match(line)
        if m:
            plan = (plan or 0) + int(m.group(1))
            continue
        m = LINE.match(line)
        if not m:
            continue
        desc = m.group(3)
        directive = None
        d = re.search(r"#\s*(SKIP|TODO)\b\s*(.*)$", desc, re.I)
        if d:
            directive = d.group(1).upper()
            desc = (desc[: d.start()].strip() or d.group(2)).strip()
        if m.group(1) == "ok":
            result = "skip" if directive == "SKIP" else "ok"
        else:
            result = "todo" if directive == "TODO" else "not ok"
        asserts.append({"n": int(m.group(2) or len(asserts) + 1), "result": result, "desc": desc})
    return asserts, plan, errors


def judge(test, asserts, plan, errors, rc, err):
    first_err = next((ln.strip() for ln in err.splitlines() if ln.strip()), "")
    if test in EXPECT_REFUSAL and not asserts:
        refused = rc == 0 and "failed to create the container" in err
        return {"status": "pass" if refused else "fail",
                "why": "refused, as required" if refused else f"exit {rc}",
                "ok": int(refused), "not_ok": int(not refused), "skipped": 0,
                "stderr": err.strip().splitlines()[-1][:300] if err.strip() else ""}
    if test in EXPECT_REFUSAL and rc == 1:
        return {"status": "fail", "why": "the runtime ran the container", "ok": 0,
                "not_ok": 1, "skipped": 0, "stderr": first_err[:300]}
    failed = [a for a in asserts if a["result"] == "not ok"]
    skipped = [a for a in asserts if a["result"] == "skip"]
    why = []
    if failed:
        why.append(f"{len(failed)} not ok")
    if rc != 0:
        why.append("timeout" if rc == 124 else f"exit {rc}")
    hook_error = not asserts and plan == 0 and bool(errors)
    if hook_error:
        why.append(f"1..0, error: {errors[0][:90]}")
    if plan is None:
        why.append("no plan")
    elif plan != len(asserts):
        why.append(f"plan {plan}, ran {len(asserts)}")
    if why:
        status = "fail"
    elif not asserts:
        status, why = "pass", ["1..0, no error"]
    elif len(skipped) == len(asserts):
        status = "skip"
    else:
        status = "pass"
    return {
        "status": status,
        "why": ", ".join(why),
        "ok": sum(a["result"] == "ok" for a in asserts),
        "not_ok": len(failed) + hook_error,
        "skipped": len(skipped),
        "stderr": first_err[:300],
    }


def read(path):
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            return f.read()
    except FileNotFoundError:
        return ""


def cell(r):
    if r is None:
        return "-"
    if r["status"] == "pass" and not r["why"]:
        s = f"pass {r['ok']}"
        return s + (f" ({r['skipped']} skip)" if r["skipped"] else "")
    if r["status"] == "skip":
        return "skip"
    if r["status"] == "pass" and r["why"]:
        return f"pass ({r['why']})"
    return f"**FAIL** {r['ok']}/{r['ok'] + r['not_ok']} ({r['why']})"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", required=True)
    ap.add_argument("--commit", default="unknown")
    ap.add_argument("--note", default="")
    ap.add_argument("runtimes", nargs="+")
    a = ap.parse_args()

    results, tests = {}, set()
    for name in a.runtimes:
        d = os.path.join(a.out, name)
        results[name] = {}
        for f in sorted(os.listdir(d)) if os.path.isdir(d) else []:
            if not f.endswith(".rc"):
                continue
            t = f[:-3]
            tests.add(t)
            tap = read(os.path.join(d, t + ".tap"))
            err = read(os.path.join(d, t + ".err"))
            rc = int(read(os.path.join(d, f)).strip() or "-1")
            asserts, plan, errors = parse_tap(tap)
            r = judge(t, asserts, plan, errors, rc, err)
            r["asserts"] = asserts
            results[name][t] = r
    tests = sorted(tests)

    seconds = {n: read(os.path.join(a.out, n + ".seconds")).strip() for n in a.runtimes}
    counts = {}
    for n in a.runtimes:
        c = {"pass": 0, "fail": 0, "skip": 0, "ok": 0, "not_ok": 0, "skipped": 0}
        for r in results[n].values():
            c[r["status"]] += 1
            for k in ("ok", "not_ok", "skipped"):
                c[k] += r[k]
        counts[n] = c

    md = [f"runtime-tools commit: {a.commit}", ""]
    if a.note:
        md += [a.note, ""]
    md += ["| runtime | tests pass | fail | skip | assertions ok | not ok | skipped | seconds |",
           "|---|---|---|---|---|---|---|---|"]
    for n in a.runtimes:
        c = counts[n]
        md.append(f"| {n} | {c['pass']} | {c['fail']} | {c['skip']} | {c['ok']} | "
                  f"{c['not_ok']} | {c['skipped']} | {seconds[n]} |")
    md += ["", "| test | " + " | ".join(a.runtimes) + " |",
           "|---|" + "---|" * len(a.runtimes)]
    for t in tests:
        cells = (cell(results[n].get(t)).replace("|", "\\|") for n in a.runtimes)
        md.append(f"| {t} | " + " | ".join(cells) + " |")
    md += ["", "Failed assertions:", ""]
    for t in tests:
        for n in a.runtimes:
            r = results[n].get(t)
            if not r or r["status"] != "fail":
                continue
            bad = [x["desc"] for x in r["asserts"] if x["result"] == "not ok"]
            detail = "; ".join(bad) if bad else r["stderr"]
            md.append(f"- {t} / {n}: {r['why']}: {detail}")
    with open(os.path.join(a.out, "results.md"), "w") as f:
        f.write("\n".join(md) + "\n")
    with open(os.path.join(a.out, "results.json"), "w") as f:
        json.dump({"commit": a.commit, "note": a.note, "counts": counts,
                   "seconds": seconds, "results": results}, f, indent=1)
    for n in a.runtimes:
        c = counts[n]
        print(f"{n}: {c['pass']} pass, {c['fail']} fail, {c['skip']} skip "
              f"({c['ok']} ok, {c['not_ok']} not ok, {c['skipped']} skipped assertions; "
              f"{seconds[n]} s)")
    print(f"tables: {os.path.join(a.out, 'results.md')}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

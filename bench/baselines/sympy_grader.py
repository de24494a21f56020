#!/usr/bin/env python3
"""A naive sympy grader: the Python baseline of bench/math.ts, standing in for HF Math-Verify (which needs
PyPI and cannot be installed offline here). It is NOT Math-Verify: no anchors, no sets or intervals, no
units, a dozen LaTeX rewrites. It does what many RL reward scripts do (Hendrycks/PRM800K style):

  take the last \\boxed{} of the response (else all of it), strip_string-like normalisation, exact string
  match, else convert simple LaTeX to sympy text, parse_expr both, correct if simplify(a - b) == 0,

each item under a 5 s signal alarm (SIGALRM: main thread only, and it cannot interrupt one long C call).

Input: JSONL on stdin, one {"gold": ..., "pred": ..., "expected"?: bool} per line.
Output: one JSON line per item on stdout {"i", "correct", "status", "ms"}, then {"summary": {"items",
"wall_s", "sympy"}}; a readable summary (items/s, p50/p99/max ms, agreement when labelled) on stderr.
"""

import json
import re
import signal
import sys
import time

import sympy
from sympy.parsing.sympy_parser import (
    convert_xor,
    implicit_multiplication_application,
    parse_expr,
    standard_transformations,
)

TIMEOUT_S = 5
TRANSFORMS = standard_transformations + (implicit_multiplication_application, convert_xor)


class ItemTimeout(Exception):
    pass


def on_alarm(_signum, _frame):
    raise ItemTimeout()


def last_boxed(s):
    """Content of the last \\boxed{...} or \\fbox{...}, brace-matched; None when there is none."""
    start = max(s.rfind("\\boxed{"), s.rfind("\\fbox{"))
    if start < 0:
        return None
    i = s.index("{", start) + 1
    depth = 1
    j = i
    while j < len(s) and depth:
        if s[j] == "{":
            depth += 1
        elif s[j] == "}":
            depth -= 1
        j += 1
    return s[i : j - 1] if depth == 0 else None


def brace_arg(s, i):
    """(argument, index after it) of a LaTeX argument starting at s[i]: {...} or one character."""
    while i < len(s) and s[i] == " ":
        i += 1
    if i >= len(s):
        return "", i
    if s[i] != "{":
        return s[i], i + 1
    depth = 0
    for j in range(i, len(s)):
        if s[j] == "{":
            depth += 1
        elif s[j] == "}":
            depth -= 1
            if depth == 0:
                return s[i + 1 : j], j + 1
    return s[i + 1 :], len(s)


def strip_string(s):
    """A small Hendrycks strip_string: formatting, units, `x=` and spaces away."""
    s = s.strip().strip("$").replace("\n", "").replace("\\!", "")
    s = s.replace("tfrac", "frac").replace("dfrac", "frac")
    s = s.replace("\\left", "").replace("\\right", "")
    s = s.replace("^{\\circ}", "").replace("^\\circ", "")
    s = s.replace("\\$", "").replace("\\%", "").replace("%", "")
    s = re.sub(r"\\(?:text|mbox|mathrm)\{\s*[a-zA-Z ]*\}$", "", s)  # trailing unit
    s = re.sub(r"\\(?:text|mbox|mathrm)\{([^{}]*)\}", r"\1", s)
    s = s.replace(" .", " 0.").replace("{.", "{0.")
    if s.startswith("."):
        s = "0" + s
    parts = s.split("=")
    if len(parts) == 2 and len(parts[0].strip()) <= 2:
        s = parts[1]
    s = s.replace(" ", "")
    if re.fullmatch(r"-?\d{1,3}(,\d{3})+(\.\d+)?", s):
        s = s.replace(",", "")
    if s.endswith(".0"):
        s = s[:-2]
    return s


def latex_to_text(s):
    """Simple LaTeX to sympy text: \\frac, \\sqrt, ^, \\pi, \\cdot/\\times, functions, braces."""
    out = []
    i = 0
    while i < len(s):
        if s.startswith("\\frac", i):
            a, i = brace_arg(s, i + 5)
            b, i = brace_arg(s, i)
            out.append(f"(({latex_to_text(a)})/({latex_to_text(b)}))")
        elif s.startswith("\\sqrt", i):
            i += 5
            root = None
            if i < len(s) and s[i] == "[":
                k = s.find("]", i)
                root, i = s[i + 1 : k], k + 1
            a, i = brace_arg(s, i)
            inner = latex_to_text(a)
            out.append(f"sqrt({inner})" if root is None else f"(({inner})**(1/({latex_to_text(root)})))")
        elif s[i] == "^":
            a, i = brace_arg(s, i + 1)
            out.append(f"**({latex_to_text(a)})")
        elif s[i] == "{":
            a, i = brace_arg(s, i)
            out.append(f"({latex_to_text(a)})")
        else:
            out.append(s[i])
            i += 1
    t = "".join(out)
    for tex, py in (
        ("\\pi", "pi"), ("\\cdot", "*"), ("\\times", "*"), ("\\infty", "oo"), ("\\ln", "log"),
        ("\\log", "log"), ("\\sin", "sin"), ("\\cos", "cos"), ("\\tan", "tan"), ("\\exp", "exp"),
    ):
        t = t.replace(tex, py)
    return t.replace("\\", "")


def to_sympy(s):
    return parse_expr(latex_to_text(s), transformations=TRANSFORMS, evaluate=True)


def grade(gold, pred):
    """(correct, status) for one pair."""
    answer = last_boxed(pred)
    if answer is None:
        answer = pred
    g = last_boxed(gold) or gold
    a, b = strip_string(g), strip_string(answer)
    if a == b:
        return True, "ok"
    try:
        ea, eb = to_sympy(a), to_sympy(b)
    except Exception:
        return False, "unparseable"
    try:
        return bool(sympy.simplify(ea - eb) == 0), "ok"
    except Exception:
        return False, "unparseable"


def pct(sorted_ms, p):
    if not sorted_ms:
        return float("nan")
    k = max(0, min(len(sorted_ms) - 1, -(-len(sorted_ms) * p // 100) - 1))
    return sorted_ms[int(k)]


def main():
    signal.signal(signal.SIGALRM, on_alarm)
    rows = [json.loads(line) for line in sys.stdin if line.strip()]
    # Warm-up, untimed: the first parse and simplify pay for imports and caches.
    for gold, pred in (("\\frac{1}{2}", "\\boxed{0.5}"), ("(x+1)^2", "\\boxed{x^2+2x+1}")):
        grade(gold, pred)
    times, agree, labelled = [], 0, 0
    t_start = time.perf_counter()
    for i, row in enumerate(rows):
        t0 = time.perf_counter()
        signal.setitimer(signal.ITIMER_REAL, TIMEOUT_S)
        try:
            correct, status = grade(str(row["gold"]), str(row["pred"]))
        except ItemTimeout:
            correct, status = False, "timeout"
        except Exception:
            correct, status = False, "error"
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
        ms = (time.perf_counter() - t0) * 1000
        times.append(ms)
        if isinstance(row.get("expected"), bool):
            labelled += 1
            agree += correct == row["expected"]
        print(json.dumps({"i": i, "correct": correct, "status": status, "ms": round(ms, 4)}), flush=False)
    wall = time.perf_counter() - t_start
    print(json.dumps({"summary": {"items": len(rows), "wall_s": wall, "sympy": sympy.__version__}}), flush=True)
    s = sorted(times)
    summary = (
        f"sympy {sympy.__version__}, {len(rows)} items in {wall:.2f} s: {len(rows) / wall:.1f} items/s; "
        f"p50 {pct(s, 50):.2f} ms, p99 {pct(s, 99):.2f} ms, max {pct(s, 100):.2f} ms"
    )
    if labelled:
        summary += f"; agreement {agree}/{labelled}"
    print(summary, file=sys.stderr)


if __name__ == "__main__":
    main()

"""An experiment's verdict: its rule (variants/experiments/<name>.conf, VERDICT) applied
to a run's statistics.

The rule is a Python expression, read with Python's parser but evaluated here, node by
node, over a small language: numbers and strings, + - * / and unary -, comparisons,
and / or / not, abs(), and the statistics functions below. Nothing else (no names, no
attributes, no other calls) is allowed, so a rule can be trusted like a number.

    median(variant, case)  mean(...)  p99(...)  max(...)  min(...)  count(...)
    slope(variant, "bench/space/metric")   least-squares slope of the median over len
    ratio(a, b)                            a / b

`case` is "bench/space/metric/len<N>", or "bench/space/metric/len<N>/cold" for a cold
case (clock=model: caches and TLBs flushed before each sample). A case the run does
not have makes the verdict `not measured` (never `agrees`); every value the rule read
is kept, so the summary can say what was measured. The rule reads one event of the
run (analysis.verdicts: the value, or under the model modelled cycles, then again
instructions).
"""
from __future__ import annotations

import ast
import math
import operator
import re
from dataclasses import dataclass, field

import pandas as pd

CASE_RE = re.compile(r"^([^/]+)/([^/]+)/([^/]+)/len(\d+)(/cold)?$")
SERIES_RE = re.compile(r"^([^/]+)/([^/]+)/([^/]+)(/cold)?$")
STATS = {"median": "median", "mean": "mean", "min": "min", "max": "raw_max",
         "count": "count"}


class RuleError(Exception):
    """A rule that is not in the language (names the construct and the fix)."""


class NotMeasured(Exception):
    """The rule needs a case the run does not have."""


@dataclass
class Verdict:
    state: str                      # agrees | disagrees | not measured | error
    rule: str
    values: dict = field(default_factory=dict)   # "median(sel4-like, ipc/...)" -> value
    reason: str = ""

    def as_dict(self) -> dict:
        return {"state": self.state, "rule": self.rule, "values": self.values,
                "reason": self.reason}


class _Evaluator:
    BINOPS = {ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul,
              ast.Div: operator.truediv}
    CMPOPS = {ast.Lt: operator.lt, ast.LtE: operator.le, ast.Gt: operator.gt,
              ast.GtE: operator.ge, ast.Eq: operator.eq, ast.NotEq: operator.ne}

    def __init__(self, stats: pd.DataFrame, samples: pd.DataFrame | None = None):
        self.stats = stats
        self.samples = samples
        self.values: dict = {}

    def _rows(self, variant: str, bench: str, space: str, metric: str,
              cache: str = "hot") -> pd.DataFrame:
        st = self.stats
        sel = (st.variant == variant) & (st.bench == bench) & (st.space == space) & \
            (st.metric == metric)
        if "cache" in st.columns:
            sel &= st["cache"] == cache
        elif cache != "hot":
            sel &= False
        return st[sel]

    def _stat(self, fn: str, variant: str, case: str) -> float:
        m = CASE_RE.match(case)
        if not m:
            raise RuleError(f"{fn}(): case {case!r} is not bench/space/metric/len<N>[/cold]")
        bench, space, metric, length = m.group(1), m.group(2), m.group(3), int(m.group(4))
        cache = "cold" if m.group(5) else "hot"
        rows = self._rows(variant, bench, space, metric, cache)
        rows = rows[rows["len"] == length]
        if not len(rows):
            raise NotMeasured(f"the run has no {case} for {variant}")
        key = f"{fn}({variant}, {case})"
        if fn == "p99":
            value = self._percentile(variant, bench, space, metric, length, 99, cache)
        else:
            value = float(rows[STATS[fn]].iloc[0])
        self.values[key] = value
        return value

    def _percentile(self, variant, bench, space, metric, length, q, cache="hot") -> float:
        s = self.samples
        if s is None:
            raise NotMeasured("p99() needs the run's samples")
        sel = (s.variant == variant) & (s.bench == bench) & (s.space == space) & \
            (s.metric == metric) & (s["len"] == length)
        if "cache" in s.columns:
            sel &= s["cache"] == cache
        v = s[sel]["value"]
        if not len(v):
            raise NotMeasured(f"no samples of {bench}/{space}/{metric}/len{length} for "
                              f"{variant}")
        return float(v.quantile(q / 100.0))

    def _slope(self, variant: str, series: str) -> float:
        m = SERIES_RE.match(series)
        if not m:
            raise RuleError(f"slope(): {series!r} is not bench/space/metric[/cold]")
        rows = self._rows(variant, *m.groups()[:3],
                          "cold" if m.group(4) else "hot").sort_values("len")
        if len(rows) < 2:
            raise NotMeasured(f"slope({variant}, {series}) needs two lengths, the run has "
                              f"{len(rows)}")
        x = rows["len"].astype(float)
        y = rows["median"].astype(float)
        xm, ym = x.mean(), y.mean()
        den = ((x - xm) ** 2).sum()
        value = float(((x - xm) * (y - ym)).sum() / den) if den else math.nan
        self.values[f"slope({variant}, {series})"] = value
        return value

    def eval(self, node):
        if isinstance(node, ast.Expression):
            return self.eval(node.body)
        if isinstance(node, ast.Constant) and isinstance(node.value, (int, float, str)) \
                and not isinstance(node.value, bool):
            return node.value
        if isinstance(node, ast.BinOp) and type(node.op) in self.BINOPS:
            return self.BINOPS[type(node.op)](self.eval(node.left), self.eval(node.right))
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
            return -self.eval(node.operand)
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
            return not self.eval(node.operand)
        if isinstance(node, ast.BoolOp):
            vals = [self.eval(v) for v in node.values]   # every value read, for the record
            return all(vals) if isinstance(node.op, ast.And) else any(vals)
        if isinstance(node, ast.Compare):
            left = self.eval(node.left)
            for op, right_node in zip(node.ops, node.comparators):
                if type(op) not in self.CMPOPS:
                    raise RuleError(f"comparison {type(op).__name__} is not allowed")
                right = self.eval(right_node)
                if not self.CMPOPS[type(op)](left, right):
                    return False
                left = right
            return True
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and \
                not node.keywords:
            name, args = node.func.id, [self.eval(a) for a in node.args]
            if name in STATS or name == "p99":
                if len(args) != 2 or not all(isinstance(a, str) for a in args):
                    raise RuleError(f"{name}() takes (variant, case), two strings")
                return self._stat(name, *args)
            if name == "slope":
                if len(args) != 2 or not all(isinstance(a, str) for a in args):
                    raise RuleError("slope() takes (variant, 'bench/space/metric')")
                return self._slope(*args)
            if name == "ratio" and len(args) == 2:
                return args[0] / args[1] if args[1] else math.inf
            if name == "abs" and len(args) == 1:
                return abs(args[0])
            raise RuleError(f"function {name}() is not in the rule language (allowed: "
                            f"{', '.join(sorted(list(STATS) + ['p99', 'slope', 'ratio', 'abs']))})")
        raise RuleError(f"{type(node).__name__} is not allowed in a verdict rule (numbers, "
                        f"strings, arithmetic, comparisons, and/or/not and the statistics "
                        f"functions only)")


def check(rule: str) -> None:
    """Raise RuleError if rule is not a well-formed expression of the language (the
    statistics functions are not evaluated)."""
    try:
        tree = ast.parse(rule, mode="eval")
    except SyntaxError as e:
        raise RuleError(f"not an expression: {e.msg} at column {e.offset}")
    allowed = set(STATS) | {"p99", "slope", "ratio", "abs"}
    called = {id(n.func) for n in ast.walk(tree) if isinstance(n, ast.Call)}
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and node.id not in allowed:
            if id(node) in called:
                raise RuleError(f"function {node.id}() is not in the rule language "
                                f"(allowed: {', '.join(sorted(allowed))})")
            raise RuleError(f"name {node.id!r} is not allowed (strings are quoted)")
        if isinstance(node, (ast.Attribute, ast.Subscript, ast.Lambda, ast.ListComp,
                             ast.GeneratorExp, ast.DictComp, ast.SetComp, ast.IfExp)):
            raise RuleError(f"{type(node).__name__} is not allowed in a verdict rule")


def evaluate(rule: str, stats: pd.DataFrame, samples: pd.DataFrame | None = None) -> Verdict:
    """The rule's verdict on a run: agrees, disagrees, not measured (a case is missing)
    or error (the rule is malformed)."""
    ev = _Evaluator(stats, samples)
    try:
        check(rule)
        result = ev.eval(ast.parse(rule, mode="eval"))
    except RuleError as e:
        return Verdict("error", rule, ev.values, str(e))
    except NotMeasured as e:
        return Verdict("not measured", rule, ev.values, str(e))
    except ZeroDivisionError:
        return Verdict("error", rule, ev.values, "division by zero")
    if not isinstance(result, bool):
        return Verdict("error", rule, ev.values, f"the rule gives {result!r}, not true or "
                       f"false: it must end in a comparison")
    return Verdict("agrees" if result else "disagrees", rule, ev.values)


def variants_named(rule: str) -> list[str]:
    """The variants a rule reads (the first argument of each statistics function), so an
    experiment file can be refused when its rule names a variant it does not run."""
    try:
        tree = ast.parse(rule, mode="eval")
    except SyntaxError:
        return []
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and \
                node.func.id in set(STATS) | {"p99", "slope"} and node.args and \
                isinstance(node.args[0], ast.Constant) and \
                isinstance(node.args[0].value, str) and node.args[0].value not in out:
            out.append(node.args[0].value)
    return out

"""The paper's lessons (papers/data/lessons.conf) and which experiment belongs to which.

An experiment file belongs to a lesson by its own word: `LESSON = <id>`. Without it,
the lesson its AXIS is declared for in kernel/axes.conf (the axis's `lesson` field,
matched against a lesson's title and aliases) decides. An experiment of AXIS = ALL
without LESSON, or of an axis whose lesson is not in the list, belongs to no lesson
and is reported among the other experiments. Nothing here is per experiment: a new
experiment file finds its section by itself.
"""
from __future__ import annotations

import configparser
from dataclasses import dataclass, field
from pathlib import Path

DATA = Path(__file__).resolve().parents[1] / "data"


@dataclass
class Lesson:
    id: str
    title: str
    paper: str                    # the paper's conclusion, paraphrased
    aliases: list = field(default_factory=list)
    experiments: list = field(default_factory=list)   # experiment names, file order


def _words(text: str) -> str:
    return " ".join(text.split())


def load(path: Path = DATA / "lessons.conf") -> list[Lesson]:
    cp = configparser.ConfigParser(interpolation=None)
    if not cp.read(path):
        raise FileNotFoundError(f"{path}: the paper's lesson list is missing")
    out = []
    for sec in cp.sections():
        s = cp[sec]
        if "title" not in s or "paper" not in s:
            raise ValueError(f"{path}: [{sec}] needs title = and paper =")
        aliases = [a.strip() for a in s.get("aliases", "").split(",") if a.strip()]
        out.append(Lesson(sec, _words(s["title"]), _words(s["paper"]), aliases))
    return out


def lesson_of(exp, lessons: list[Lesson], axes: list) -> tuple[str | None, str]:
    """(lesson id or None, how it was found) for one experiment (config.Experiment)."""
    ids = {l.id for l in lessons}
    if getattr(exp, "lesson", ""):
        return (exp.lesson if exp.lesson in ids else None), "LESSON"
    declared = {a.name: a.lesson for a in axes}
    name = declared.get(exp.axis)
    if name:
        key = name.casefold().strip()
        for l in lessons:
            if key in {l.title.casefold(), *(a.casefold() for a in l.aliases)}:
                return l.id, f"AXIS = {exp.axis}"
    return None, ""


def assign(experiments: dict, lessons: list[Lesson], axes: list) -> tuple[dict, list]:
    """Fill each lesson's experiments; return ({experiment: how}, [experiments that
    belong to no lesson])."""
    how, other = {}, []
    by_id = {l.id: l for l in lessons}
    for name, exp in experiments.items():
        lid, why = lesson_of(exp, lessons, axes)
        if lid:
            by_id[lid].experiments.append(name)
            how[name] = why
        else:
            other.append(name)
    return how, other

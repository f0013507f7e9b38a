"""The report an evaluation prints: named tables of P/R/F1 rows, plus notes, as text or JSON."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from rich.console import Console
from rich.table import Table as RichTable

from presslens.eval.metrics import PRF


@dataclass
class Table:
    """One table: rows of label -> PRF (printed as P, R, F1 and the counts)."""

    title: str
    rows: dict[str, PRF] = field(default_factory=dict)

    def add(self, label: str, score: PRF) -> None:
        self.rows[label] = score


@dataclass
class EvalReport:
    """What ``presslens eval TASK`` prints."""

    task: str
    data: str
    tables: list[Table] = field(default_factory=list)
    figures: dict[str, float | int | str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def table(self, title: str) -> Table:
        """The table with this title, created on first use."""
        for existing in self.tables:
            if existing.title == title:
                return existing
        created = Table(title)
        self.tables.append(created)
        return created

    def to_json(self) -> dict[str, Any]:
        return {
            "task": self.task,
            "data": self.data,
            "tables": {
                table.title: {
                    label: {
                        "precision": round(score.precision, 4),
                        "recall": round(score.recall, 4),
                        "f1": round(score.f1, 4),
                        "predicted": score.predicted,
                        "gold": score.gold,
                    }
                    for label, score in table.rows.items()
                }
                for table in self.tables
            },
            "figures": self.figures,
            "notes": self.notes,
        }

    def print(self, console: Console) -> None:
        console.print(f"[bold]presslens eval {self.task}[/bold]  data: {self.data}")
        for table in self.tables:
            rich_table = RichTable(title=table.title, title_justify="left")
            for column in ("label", "P", "R", "F1", "predicted", "gold"):
                rich_table.add_column(column, justify="left" if column == "label" else "right")
            for label, score in table.rows.items():
                rich_table.add_row(
                    label, f"{score.precision:.3f}", f"{score.recall:.3f}", f"{score.f1:.3f}",
                    f"{score.predicted:g}", f"{score.gold:g}",
                )
            console.print(rich_table)
        for name, value in self.figures.items():
            console.print(f"{name}: {value:.3f}" if isinstance(value, float) else f"{name}: {value}")
        for note in self.notes:
            console.print(f"note: {note}")

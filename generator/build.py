"""The pipeline for one client: load → tailor → render, written atomically into OUT/<client-id>/."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from generator.banks import Banks
from generator.load import LoadedProfile


@dataclass
class BuildResult:
    client_id: str
    folder: Path
    written: list[Path] = field(default_factory=list)
    note: str = ""

    def summary(self, display: Callable[[Path], str]) -> str:
        lines = [f"{self.client_id}: {self.note}" if self.note else f"{self.client_id}: built"]
        lines += [f"  {display(path)}" for path in self.written]
        return "\n".join(lines)


def build_client(loaded: LoadedProfile, out: Path, *, banks: Banks | None = None) -> BuildResult:
    folder = out / loaded.client_id
    return BuildResult(loaded.client_id, folder, note="profile is valid (the site and PDF renderers are not built yet)")

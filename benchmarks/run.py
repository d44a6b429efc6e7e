"""Run every benchmark in turn (what `make benchmark` does) and print their figures.

Each benchmark is its own script, so one can be run alone:
    bench_check.py   `workbook check` of a 500-contact profile
    bench_site.py    a 60-contact site against a bare `mkdocs build` of the same pages
    bench_pdf.py     the workbook PDF against bare WeasyPrint, time per sheet, and mkdocs-with-pdf
    bench_batch.py   a coach's folder: 50 clients × 10 contacts, -j 1 vs -j 2, incremental rebuilds, memory
    bench_scale.py   issue 12's table: the example, 60 contacts (full, -j, one edit), 200 and 2,000 contacts, check
"""

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
SCRIPTS = ["bench_check.py", "bench_site.py", "bench_pdf.py", "bench_batch.py", "bench_scale.py"]

failed = []
for script in sys.argv[1:] or SCRIPTS:
    print(f"\n## {script}\n", flush=True)
    if subprocess.run([sys.executable, str(HERE / script)]).returncode != 0:
        failed.append(script)
sys.exit(f"failed: {', '.join(failed)}" if failed else 0)

"""Encryption benchmark (not a test): the same work on a plain and an encrypted file, one run.

    .venv/bin/python bench/bench_encryption.py                  # 400 patients x 10 visits
    .venv/bin/python bench/bench_encryption.py --patients 1000  # larger

Prints, plain vs encrypted (SQLCipher 4, raw key, default page size) and their ratio against
the 1.3x target:

* JSON import: visits/s (the case files of bench_storage.py, one transaction per file); the
  files are imported alternately into the two databases so machine load hits both alike;
* visit save: median and p99 of ``Repository.save_visit`` (one changed value with its audit
  rows, scores and responses), alternating between the two files;
* Excel export: the de-identified workbook from each database (best of two, alternating);
* opening the file: plain open vs encrypted open with the key already derived (printed, no
  target: the open-time ``quick_check`` reads and so decrypts every page);
* the key derivation alone (argon2id with ``DEFAULT_KDF``);
* unlock: ``storage.accounts.sign_in`` with the production argon2id cost (``DEFAULT_KDF``):
  the key derivation plus opening, median of 5 (there is no plain counterpart).
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
os.environ.pop("JDM_CAPTURE_INSECURE_FAST_KDF", None)  # the real key-derivation cost
os.environ["JDM_CAPTURE_PLAINTEXT"] = "1"  # the plain half of the comparison

from bench_storage import _case_files  # noqa: E402

from exports.excel import write_workbook  # noqa: E402
from storage import accounts, crypto  # noqa: E402
from storage.casefile import import_case_file  # noqa: E402
from storage.repository import Repository  # noqa: E402

TARGET = 1.3
USER, NAME, PASSWORD = "bench", "Bench Admin", "benchmark password"


def _p99(values: list[float]) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(0.99 * len(values))) - 1)]


def _row(what: str, plain: float, enc: float, unit: str, higher_is_better: bool = False,
         fmt: str = "{:.1f}") -> None:
    ratio = plain / enc if higher_is_better else enc / plain
    verdict = "ok" if ratio <= TARGET else "OVER TARGET"
    print(f"{what:<28} plain {fmt.format(plain):>9} {unit:<9} encrypted "
          f"{fmt.format(enc):>9} {unit:<9} = {ratio:.2f}x (target <= {TARGET}x: {verdict})",
          flush=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--patients", type=int, default=400)
    parser.add_argument("--visits", type=int, default=10)
    parser.add_argument("--per-file", type=int, default=25)
    parser.add_argument("--saves", type=int, default=300)
    args = parser.parse_args()
    kdf = crypto.DEFAULT_KDF
    print(f"argon2id: t={kdf.time_cost}, m={kdf.memory_kib // 1024} MiB, p={kdf.parallelism};"
          f" {args.patients} patients x {args.visits} visits", flush=True)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        files = _case_files(folder, args.patients, args.visits, args.per_file)
        plain_path, enc_path = folder / "plain.sqlite", folder / "encrypted.sqlite"
        t = time.perf_counter()
        accounts.create_encrypted(enc_path, USER, NAME, PASSWORD)
        print(f"set-up of the encrypted file (two slots, one hash): "
              f"{time.perf_counter() - t:.2f} s", flush=True)
        plain, enc = Repository(plain_path), Repository(enc_path)
        try:
            import_s = {"plain": 0.0, "enc": 0.0}
            visits = 0
            for path in files:
                for key, repo in (("plain", plain), ("enc", enc)):
                    t = time.perf_counter()
                    _case, summary = import_case_file(repo, path, "bench")
                    import_s[key] += time.perf_counter() - t
                visits += summary.visits
            _row("JSON import", visits / import_s["plain"], visits / import_s["enc"],
                 "visits/s", higher_is_better=True, fmt="{:,.0f}")

            rng = random.Random(7)
            lat: dict[str, list[float]] = {"plain": [], "enc": []}
            for _ in range(args.saves):
                sid = f"B{rng.randrange(args.patients):05d}"
                pick = rng.randrange(args.visits)
                for key, repo in (("plain", plain), ("enc", enc)):
                    patient = repo.get_patient(sid)
                    visit = patient.visits[pick]
                    old = visit.values.get("cmas_leg_raise", 0)
                    visit.values["cmas_leg_raise"] = 1 if old != 1 else 2
                    t = time.perf_counter()
                    repo.save_visit(sid, visit, "bench")
                    lat[key].append((time.perf_counter() - t) * 1000)
            _row("visit save, median", statistics.median(lat["plain"]),
                 statistics.median(lat["enc"]), "ms")
            _row("visit save, p99", _p99(lat["plain"]), _p99(lat["enc"]), "ms")

            best = {"plain": float("inf"), "enc": float("inf")}
            for _ in range(2):
                for key, repo in (("plain", plain), ("enc", enc)):
                    out = folder / f"{key}.xlsx"
                    t = time.perf_counter()
                    write_workbook(repo.iter_patients(with_derived=True), out,
                                   identified=False, settings=repo.scoring_settings())
                    best[key] = min(best[key], time.perf_counter() - t)
            _row("Excel export", best["plain"], best["enc"], "s", fmt="{:.2f}")
        finally:
            plain.close()
            enc.close()

        opens: dict[str, list[float]] = {"plain": [], "enc": []}
        for _ in range(5):
            for key, path in (("plain", plain_path), ("enc", enc_path)):
                t = time.perf_counter()
                Repository(path, refresh=False).close()
                opens[key].append((time.perf_counter() - t) * 1000)
        print(f"{'open (key known)':<28} plain {statistics.median(opens['plain']):>9.1f} ms"
              f"        encrypted {statistics.median(opens['enc']):>9.1f} ms        = "
              f"{statistics.median(opens['enc']) / statistics.median(opens['plain']):.2f}x "
              "(no target: the open-time quick_check decrypts every page)", flush=True)
        from argon2.low_level import Type, hash_secret_raw  # noqa: PLC0415

        derive = []
        for _ in range(5):
            t = time.perf_counter()
            hash_secret_raw(PASSWORD.encode(), os.urandom(16), kdf.time_cost, kdf.memory_kib,
                            kdf.parallelism, 64, Type.ID)
            derive.append(time.perf_counter() - t)
        print(f"{'key derivation alone':<28} median {statistics.median(derive):.2f} s, min "
              f"{min(derive):.2f} s", flush=True)
        unlocks = []
        for _ in range(5):
            accounts.sign_out(enc_path)
            t = time.perf_counter()
            accounts.sign_in(enc_path, USER, PASSWORD)
            unlocks.append(time.perf_counter() - t)
        print(f"{'unlock (sign-in)':<28} median {statistics.median(unlocks):.2f} s, "
              f"min {min(unlocks):.2f} s, max {max(unlocks):.2f} s (argon2id + reading the "
              "account; the cost is chosen for 0.3-0.5 s on a quiet machine)", flush=True)
        size = {k: sum(p.stat().st_size for p in folder.glob(f"{k}.sqlite*"))
                for k in ("plain", "encrypted")}
        print(f"file size: plain {size['plain'] / 1e6:.1f} MB, encrypted "
              f"{size['encrypted'] / 1e6:.1f} MB", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())

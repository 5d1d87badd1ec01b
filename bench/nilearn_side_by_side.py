"""Time nilearn's MultiNiftiMapsMasker (fit + transform, one job) on the bench's files.

The reference side of `deno task bench --nilearn`: one fresh Python process that imports
nilearn, fits a ``MultiNiftiMapsMasker`` with the bench's cleaning (detrend, zscore_sample,
band-pass 0.01-0.1 Hz, tR 2 s, the given confounds) and extracts each subject in turn with
``n_jobs=1``. It prints one JSON line (seconds since the process started, fit and per-subject
transform seconds, peak RSS) and, with ``--signals-out DIR``, writes each subject's signals as
little-endian float64 (``sub-<i>.f64``, time by map, row-major) so that the bench can compare them
with niimask's.

nilearn is not a dependency of niimask: point ``NILEARN_PATH`` (one or more folders separated by
``os.pathsep``) at a nilearn source tree, e.g. a checkout of tag 0.11.1. When nilearn cannot be
imported the script prints ``{"skipped": "..."}`` and a message, and exits with status 0.

Usage::

    NILEARN_PATH=/path/to/nilearn python3 bench/nilearn_side_by_side.py \\
        --maps maps.nii.gz [--mask mask.nii.gz] [--resampling-target data] [--no-clean] \\
        [--confounds c1.tsv --confounds c2.tsv ...] [--signals-out DIR] sub1.nii.gz sub2.nii.gz

Confounds files are tab-separated with one header line, one column per confound.
"""

import time

T_START = time.perf_counter()

import argparse  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import resource  # noqa: E402
import sys  # noqa: E402


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--maps", required=True, help="4D maps image")
    p.add_argument("--mask", default=None, help="mask image")
    p.add_argument(
        "--resampling-target",
        default="data",
        choices=["data", "mask", "maps", "null"],
        help="the masker's resampling_target",
    )
    p.add_argument("--no-clean", action="store_true", help="no cleaning, no confounds")
    p.add_argument(
        "--confounds",
        action="append",
        default=[],
        help="confounds TSV (header line, one column per confound), one per subject, in order",
    )
    p.add_argument("--signals-out", default=None, help="folder for the float64 signals")
    p.add_argument("subjects", nargs="+", help="4D subject images")
    a = p.parse_args(argv)
    if not a.no_clean and a.confounds and len(a.confounds) != len(a.subjects):
        p.error(
            f"--confounds: expected one file per subject ({len(a.subjects)}), "
            f"found {len(a.confounds)}"
        )
    return a


def import_nilearn():
    """Import nilearn from NILEARN_PATH (prepended to sys.path); (module, None) or (None, why)."""
    for folder in reversed(
        [p for p in os.environ.get("NILEARN_PATH", "").split(os.pathsep) if p]
    ):
        sys.path.insert(0, folder)
    try:
        import nilearn  # noqa: F401
        from nilearn.maskers import MultiNiftiMapsMasker

        return MultiNiftiMapsMasker, None
    except Exception as e:  # ImportError, or a dependency refusing at import
        return None, f"{type(e).__name__}: {e}"


def peak_rss_bytes():
    # ru_maxrss is in KiB on Linux.
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def main(argv):
    args = parse_args(argv)
    masker_cls, why = import_nilearn()
    if masker_cls is None:
        msg = (
            "nilearn is not importable (" + why + "); set NILEARN_PATH to a nilearn source "
            "tree (e.g. tag 0.11.1) and use a Python that has numpy, scipy, scikit-learn, "
            "nibabel and pandas"
        )
        print(f"nilearn_side_by_side: skipped: {msg}", file=sys.stderr)
        print(json.dumps({"skipped": msg}))
        return 0
    import nilearn
    import numpy as np

    import_seconds = time.perf_counter() - T_START
    clean = (
        {}
        if args.no_clean
        else {
            "detrend": True,
            "standardize": "zscore_sample",
            "low_pass": 0.1,
            "high_pass": 0.01,
            "t_r": 2.0,
        }
    )
    target = None if args.resampling_target == "null" else args.resampling_target
    t = time.perf_counter()
    masker = masker_cls(
        maps_img=args.maps,
        mask_img=args.mask,
        resampling_target=target,
        reports=False,
        n_jobs=1,
        **clean,
    ).fit()
    fit_seconds = time.perf_counter() - t
    transform_seconds = []
    if args.signals_out is not None:
        os.makedirs(args.signals_out, exist_ok=True)
    shape = None
    for i, subject in enumerate(args.subjects):
        t = time.perf_counter()
        confounds = None
        if not args.no_clean and args.confounds:
            confounds = np.loadtxt(args.confounds[i], delimiter="\t", skiprows=1, ndmin=2)
        # A list of one image: nilearn 0.11.1's MultiNiftiMapsMasker.transform drops the
        # confounds when given a single image (not a list).
        signals = masker.transform_imgs([subject], confounds=[confounds], n_jobs=1)[0]
        transform_seconds.append(time.perf_counter() - t)
        shape = list(signals.shape)
        if args.signals_out is not None:
            out = os.path.join(args.signals_out, f"sub-{i}.f64")
            np.ascontiguousarray(signals, dtype="<f8").tofile(out + ".tmp")
            os.replace(out + ".tmp", out)
    print(
        json.dumps(
            {
                "nilearn_version": getattr(nilearn, "__version__", "unknown"),
                "nilearn_file": getattr(nilearn, "__file__", None),
                "python": sys.version.split()[0],
                "numpy": np.__version__,
                "import_seconds": import_seconds,
                "fit_seconds": fit_seconds,
                "transform_seconds": transform_seconds,
                "seconds_in_process": time.perf_counter() - T_START,
                "signals_shape": shape,
                "peak_rss_bytes": peak_rss_bytes(),
            }
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

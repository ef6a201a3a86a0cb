#!/usr/bin/python3
"""Generate qarch's shipped network workloads and their independent reference counts.

Writes
  workloads/{lenet5,mlp,alexnet,vgg16,resnet50,mobilenetv2,bert_base_block}.yaml
      in the format of docs/workloads.md;
  tests/data/workload_reference.json
      per network the total MACs and, for every layer of the YAML in YAML order,
      {name, type, output_shape [C, H, W], macs}.

How the two are produced, and why they are independent:

* The YAML layers come from a torch.fx trace of the model (the graph structure and the
  module hyper-parameters: kernel, stride, padding, groups, ...).  BatchNorm and Dropout are
  folded away; flatten is implied by `fc`; adaptive average pooling becomes a global
  `avgpool` (or is dropped when it is an identity, as for AlexNet/VGG at 224x224).
* The reference numbers come from an eager forward pass of the real torchvision module with
  a random 1x3x224x224 input: forward hooks on every leaf module record the actual output
  tensor shapes and the MACs (conv: E*F*weight.numel(); linear: rows*weight.numel()), and a
  TorchFunctionMode records the functional calls (residual additions, functional adaptive
  average pooling).  The network total is the sum over *every* Conv2d/Linear call seen by
  the hooks; it is checked to equal the sum over the YAML's layers (so no compute layer was
  dropped) and to match torchvision's documented GFLOPS.
* BERT-base's block is written by hand and its reference is computed from hand formulas.
* `--check` (also run after writing) re-reads the YAML files with yaml.safe_load, checks
  names/references, re-derives every shape and MAC count from the YAML alone following the
  rules of docs/workloads.md, and compares them with the JSON.

Usage (from anywhere):
  /usr/bin/python3 scripts/export_workloads.py           # write everything, then check
  /usr/bin/python3 scripts/export_workloads.py --check   # only check the files on disk

Needs Debian's python3-torch, python3-torchvision, python3-yaml, python3-numpy.  No
pretrained weights are used (random initialisation; only shapes matter).
"""

import argparse
import json
import operator
import os
import re
import sys

import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
WORKLOADS = os.path.join(ROOT, "workloads")
REFERENCE = os.path.join(ROOT, "tests", "data", "workload_reference.json")

NAME_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
# Plain scalars that YAML 1.1 (PyYAML) would not read back as a string.
YAML_RESERVED = {"y", "n", "yes", "no", "on", "off", "true", "false", "null", "~"}

# torchvision's documented compute cost ("GFLOPS" in its model table, which counts
# multiply-accumulates), used as a sanity bound on the independent count.
TORCHVISION_GMACS = {
    "alexnet": 0.71,
    "vgg16": 15.47,
    "resnet50": 4.09,
    "mobilenetv2": 0.30,
}


# --------------------------------------------------------------------------------------
# Small networks defined here (LeNet-5, MLP)
# --------------------------------------------------------------------------------------

def small_models():
    import torch
    from torch import nn

    class LeNet5(nn.Module):
        """LeNet-5 for 1x28x28 Fashion-MNIST; attribute names are the YAML layer names."""

        def __init__(self):
            super().__init__()
            self.conv1 = nn.Conv2d(1, 6, 5, padding=2)
            self.relu1 = nn.ReLU()
            self.pool1 = nn.MaxPool2d(2, 2)
            self.conv2 = nn.Conv2d(6, 16, 5)
            self.relu2 = nn.ReLU()
            self.pool2 = nn.MaxPool2d(2, 2)
            self.fc1 = nn.Linear(16 * 5 * 5, 120)
            self.relu3 = nn.ReLU()
            self.fc2 = nn.Linear(120, 84)
            self.relu4 = nn.ReLU()
            self.fc3 = nn.Linear(84, 10)

        def forward(self, x):
            x = self.pool1(self.relu1(self.conv1(x)))
            x = self.pool2(self.relu2(self.conv2(x)))
            x = torch.flatten(x, 1)
            x = self.relu3(self.fc1(x))
            x = self.relu4(self.fc2(x))
            return self.fc3(x)

    class MLP(nn.Module):
        """784-256-128-10 MLP on a 1x28x28 input."""

        def __init__(self):
            super().__init__()
            self.fc1 = nn.Linear(784, 256)
            self.relu1 = nn.ReLU()
            self.fc2 = nn.Linear(256, 128)
            self.relu2 = nn.ReLU()
            self.fc3 = nn.Linear(128, 10)

        def forward(self, x):
            x = torch.flatten(x, 1)
            x = self.relu1(self.fc1(x))
            x = self.relu2(self.fc2(x))
            return self.fc3(x)

    return LeNet5, MLP


# --------------------------------------------------------------------------------------
# Network table
# --------------------------------------------------------------------------------------

def network_specs():
    import torchvision.models as tvm

    LeNet5, MLP = small_models()
    return [
        dict(name="lenet5", build=LeNet5, input=(1, 28, 28),
             header=["LeNet-5 for 1x28x28 Fashion-MNIST (padding 2 on conv1).",
                     "conv1 6@5x5 p2, relu, maxpool 2, conv2 16@5x5, relu, maxpool 2,",
                     "fc 120, relu, fc 84, relu, fc 10.  Layer names are stable: the training",
                     "script maps PyTorch weights to them."]),
        dict(name="mlp", build=MLP, input=(1, 28, 28),
             header=["784-256-128-10 MLP on a 1x28x28 input (the input is flattened by fc1)."]),
        dict(name="alexnet", build=lambda: tvm.alexnet(weights=None), input=(3, 224, 224),
             header=["AlexNet, torchvision layout (torchvision.models.alexnet), 224x224, batch 1.",
                     "Dropout omitted; flatten implied by fc.  torchvision's",
                     "AdaptiveAvgPool2d((6, 6)) is an identity at 224x224 input and is omitted."]),
        dict(name="vgg16", build=lambda: tvm.vgg16(weights=None), input=(3, 224, 224),
             header=["VGG-16 (torchvision.models.vgg16, configuration D, no BatchNorm), 224x224,",
                     "batch 1.  Dropout omitted; flatten implied by fc.  torchvision's",
                     "AdaptiveAvgPool2d((7, 7)) is an identity at 224x224 input and is omitted."]),
        dict(name="resnet50", build=lambda: tvm.resnet50(weights=None), input=(3, 224, 224),
             header=["ResNet-50 v1.5 (torchvision.models.resnet50: stride 2 on the 3x3 conv of each",
                     "downsampling bottleneck), 224x224, batch 1.  BatchNorm folded away (not",
                     "represented); residual connections are `add` layers; a downsampling shortcut",
                     "is the conv2d `layerN_0_downsample_0` whose input is the block input;",
                     "adaptive average pooling is a global avgpool; flatten implied by fc.",
                     "Names follow torchvision's module names (layer1.0.conv1 -> layer1_0_conv1);",
                     "the block's shared ReLU module is applied three times: _relu, _relu_1, _relu_2."]),
        dict(name="mobilenetv2", build=lambda: tvm.mobilenet_v2(weights=None), input=(3, 224, 224),
             header=["MobileNetV2 1.0 (torchvision.models.mobilenet_v2), 224x224, batch 1.",
                     "BatchNorm folded away (not represented); ReLU6 as activation layers;",
                     "depthwise convs are conv2d with groups = channels; residual connections are",
                     "`add` layers; adaptive average pooling is a global avgpool; dropout omitted;",
                     "flatten implied by fc.  Names follow torchvision's module names",
                     "(features.2.conv.1.0 -> features_2_conv_1_0)."]),
    ]


# --------------------------------------------------------------------------------------
# torch.fx trace -> YAML layers
# --------------------------------------------------------------------------------------

def layer_type_of_module(m):
    """YAML type of a leaf module, or None for modules that are folded away."""
    from torch import nn
    if isinstance(m, nn.Conv2d):
        return "conv2d"
    if isinstance(m, nn.Linear):
        return "fc"
    if isinstance(m, (nn.ReLU, nn.ReLU6)):
        return "activation"
    if isinstance(m, nn.MaxPool2d):
        return "maxpool"
    if isinstance(m, (nn.AdaptiveAvgPool2d, nn.AvgPool2d)):
        return "avgpool"
    if isinstance(m, (nn.BatchNorm2d, nn.Dropout, nn.Identity, nn.Flatten)):
        return None
    raise TypeError("unsupported module %r" % type(m).__name__)


def scalar_or_pair(v):
    if isinstance(v, (tuple, list)):
        assert len(v) == 2, v
        return int(v[0]) if v[0] == v[1] else [int(v[0]), int(v[1])]
    return int(v)


def adds():
    import torch
    return {operator.add, operator.iadd, torch.add}


def trace_layers(model, input_chw):
    """Trace `model` with torch.fx and return the list of YAML layer dicts.

    Each dict also carries private keys (starting with '_') used to look up the
    independent reference record: '_ref' = (kind, key, occurrence)."""
    import torch
    import torch.fx
    import torch.nn.functional as F
    from torch import nn
    from torch.fx.passes.shape_prop import ShapeProp

    class ScopeTracer(torch.fx.Tracer):
        """Records, for every node, the module whose forward was being traced."""

        def __init__(self):
            super().__init__()
            self.scope = [""]

        def call_module(self, m, forward, args, kwargs):
            self.scope.append(self.path_of_module(m))
            try:
                return super().call_module(m, forward, args, kwargs)
            finally:
                self.scope.pop()

        def create_node(self, *args, **kwargs):
            node = super().create_node(*args, **kwargs)
            node.meta["scope"] = self.scope[-1]
            return node

    tracer = ScopeTracer()
    graph = tracer.trace(model)
    gm = torch.fx.GraphModule(model, graph)
    ShapeProp(gm).propagate(torch.randn(1, *input_chw))
    modules = dict(gm.named_modules())

    alias = {}        # fx node -> name of the YAML producer ('input' or a layer name)
    layers = []
    used = set()
    module_calls = {}  # module path -> number of calls so far
    fn_calls = {}      # (scope, kind) -> number of calls so far

    def unique(name):
        base, i = name, 0
        while name in used or name == "input":
            i += 1
            name = "%s_%d" % (base, i)
        used.add(name)
        return name

    def shape(node):
        return tuple(node.meta["tensor_meta"].shape)

    for node in gm.graph.nodes:
        if node.op == "placeholder":
            alias[node] = "input"
            continue
        if node.op in ("output", "get_attr"):
            continue
        if node.op == "call_module":
            m = modules[node.target]
            ltype = layer_type_of_module(m)
            src = node.args[0]
            if ltype is None:
                alias[node] = alias[src]
                continue
            if ltype == "avgpool" and isinstance(m, nn.AdaptiveAvgPool2d):
                if shape(node) == shape(src):      # identity (AlexNet/VGG at 224x224)
                    alias[node] = alias[src]
                    continue
            occ = module_calls.get(node.target, 0)
            module_calls[node.target] = occ + 1
            layer = {"name": unique(node.name), "type": ltype, "_src": alias[src],
                     "_ref": ("module", node.target, occ)}
            if ltype == "conv2d":
                assert m.padding_mode == "zeros" and not isinstance(m.padding, str)
                layer["filters"] = m.out_channels
                layer["kernel"] = scalar_or_pair(m.kernel_size)
                for key, val, default in (("stride", m.stride, 1), ("padding", m.padding, 0),
                                          ("dilation", m.dilation, 1), ("groups", m.groups, 1)):
                    v = scalar_or_pair(val)
                    if v != default:
                        layer[key] = v
            elif ltype == "fc":
                n_in = 1
                for d in shape(src)[1:]:
                    n_in *= d
                assert n_in == m.in_features, (node.name, n_in, m.in_features)
                layer["out_features"] = m.out_features
            elif ltype == "activation":
                layer["function"] = "relu6" if isinstance(m, nn.ReLU6) else "relu"
            elif ltype == "maxpool":
                assert not m.ceil_mode and scalar_or_pair(m.dilation) == 1
                layer["kernel"] = scalar_or_pair(m.kernel_size)
                layer["stride"] = scalar_or_pair(m.stride)
                if scalar_or_pair(m.padding) != 0:
                    layer["padding"] = scalar_or_pair(m.padding)
            elif ltype == "avgpool":
                if isinstance(m, nn.AdaptiveAvgPool2d):
                    assert scalar_or_pair(m.output_size) == 1, m.output_size
                    layer["global"] = True
                else:
                    assert not m.ceil_mode
                    layer["kernel"] = scalar_or_pair(m.kernel_size)
                    layer["stride"] = scalar_or_pair(m.stride)
                    if scalar_or_pair(m.padding) != 0:
                        layer["padding"] = scalar_or_pair(m.padding)
            layers.append(layer)
            alias[node] = layer["name"]
            continue
        if node.op == "call_function":
            scope = node.meta["scope"]
            prefix = scope.replace(".", "_") + "_" if scope else ""
            if node.target is torch.flatten:
                alias[node] = alias[node.args[0]]
                continue
            if node.target in adds():
                a, b = node.args[:2]
                assert shape(a) == shape(b)
                key = (scope, "add")
                occ = fn_calls.get(key, 0)
                fn_calls[key] = occ + 1
                layer = {"name": unique(prefix + "add"), "type": "add",
                         "inputs": [alias[a], alias[b]], "_ref": ("function", key, occ)}
                layers.append(layer)
                alias[node] = layer["name"]
                continue
            if node.target is F.adaptive_avg_pool2d:
                src = node.args[0]
                out = node.args[1] if len(node.args) > 1 else node.kwargs["output_size"]
                if shape(node) == shape(src):
                    alias[node] = alias[src]
                    continue
                assert scalar_or_pair(out) == 1, out
                key = (scope, "avgpool")
                occ = fn_calls.get(key, 0)
                fn_calls[key] = occ + 1
                layer = {"name": unique(prefix + "avgpool"), "type": "avgpool", "global": True,
                         "_src": alias[src], "_ref": ("function", key, occ)}
                layers.append(layer)
                alias[node] = layer["name"]
                continue
        raise TypeError("unsupported fx node %s: %s %r" % (node.name, node.op, node.target))

    # Express producers as `input` keys only where they differ from the default.
    prev = "input"
    for layer in layers:
        src = layer.pop("_src", None)
        if src is not None and src != prev:
            layer["input"] = src
        prev = layer["name"]
    return layers


# --------------------------------------------------------------------------------------
# Independent reference: eager forward with hooks and a TorchFunctionMode
# --------------------------------------------------------------------------------------

def eager_records(model, input_chw):
    """Run the real module eagerly; return (module_records, function_records, hook_total).

    module_records[(path, occurrence)] = (type, output_shape, macs)
    function_records[((scope, kind), occurrence)] = (type, output_shape, 0)
    hook_total = MACs summed over every Conv2d / Linear call."""
    import torch
    import torch.nn.functional as F
    from torch import nn
    from torch.overrides import TorchFunctionMode

    stack = [""]
    mod_rec, fn_rec = {}, {}
    mod_count, fn_count = {}, {}
    total = [0]
    handles = []

    def chw(t):
        s = list(t.shape[1:])
        return s + [1] * (3 - len(s))

    def pre_hook(path):
        def f(module, inputs):
            stack.append(path)
        return f

    def post_hook(path):
        def f(module, inputs, output):
            stack.pop()
            if any(True for _ in module.children()):
                return
            occ = mod_count.get(path, 0)
            mod_count[path] = occ + 1
            if isinstance(module, nn.Conv2d):
                w = module.weight
                macs = output.shape[0] * output.shape[2] * output.shape[3] * w.numel()
                total[0] += macs
                mod_rec[(path, occ)] = ("conv2d", chw(output), int(macs))
            elif isinstance(module, nn.Linear):
                x = inputs[0]
                rows = x.numel() // x.shape[-1]
                macs = rows * module.weight.numel()
                total[0] += macs
                mod_rec[(path, occ)] = ("fc", chw(output), int(macs))
            elif isinstance(module, (nn.ReLU, nn.ReLU6)):
                mod_rec[(path, occ)] = ("activation", chw(output), 0)
            elif isinstance(module, nn.MaxPool2d):
                mod_rec[(path, occ)] = ("maxpool", chw(output), 0)
            elif isinstance(module, (nn.AvgPool2d, nn.AdaptiveAvgPool2d)):
                mod_rec[(path, occ)] = ("avgpool", chw(output), 0)
        return f

    for path, module in model.named_modules():
        if path == "":
            continue
        handles.append(module.register_forward_pre_hook(pre_hook(path)))
        handles.append(module.register_forward_hook(post_hook(path)))

    add_funcs = {torch.Tensor.__add__, torch.Tensor.__iadd__, torch.Tensor.__radd__,
                 torch.add, torch.Tensor.add, torch.Tensor.add_}

    class Recorder(TorchFunctionMode):
        def __torch_function__(self, func, types, args=(), kwargs=None):
            out = func(*args, **(kwargs or {}))
            kind = None
            if func in add_funcs and len(args) == 2 and all(
                    isinstance(a, torch.Tensor) for a in args):
                kind, ltype = "add", "add"
            elif func is F.adaptive_avg_pool2d:
                kind, ltype = "avgpool", "avgpool"
            if kind is not None:
                key = (stack[-1], kind)
                occ = fn_count.get(key, 0)
                fn_count[key] = occ + 1
                fn_rec[(key, occ)] = (ltype, chw(out), 0)
            return out

    model.eval()
    try:
        with torch.no_grad(), Recorder():
            model(torch.randn(1, *input_chw))
    finally:
        for h in handles:
            h.remove()
    return mod_rec, fn_rec, total[0]


def reference_for(layers, model, input_chw):
    mod_rec, fn_rec, hook_total = eager_records(model, input_chw)
    out = []
    for layer in layers:
        kind, key, occ = layer["_ref"]
        rec = (mod_rec if kind == "module" else fn_rec)[(key, occ)]
        ltype, shp, macs = rec
        assert ltype == layer["type"], (layer["name"], ltype, layer["type"])
        out.append({"name": layer["name"], "type": ltype, "output_shape": shp, "macs": macs})
    layer_total = sum(r["macs"] for r in out)
    assert layer_total == hook_total, (layer_total, hook_total)
    return out, hook_total


# --------------------------------------------------------------------------------------
# BERT-base encoder block (hand-written; reference by hand formulas)
# --------------------------------------------------------------------------------------

BERT_T, BERT_D, BERT_HEADS, BERT_FFN = 128, 768, 12, 3072


def bert_layers():
    T, D, H, FF = BERT_T, BERT_D, BERT_HEADS, BERT_FFN
    return [
        {"name": "q", "type": "matmul", "input": "input", "out_features": D},
        {"name": "k", "type": "matmul", "input": "input", "out_features": D},
        {"name": "v", "type": "matmul", "input": "input", "out_features": D},
        {"name": "scores", "type": "matmul", "input": "q", "b": "k", "heads": H,
         "transpose_b": True},
        {"name": "softmax", "type": "activation", "function": "softmax"},
        {"name": "context", "type": "matmul", "input": "softmax", "b": "v", "heads": H},
        {"name": "attn_out", "type": "matmul", "out_features": D},
        {"name": "add1", "type": "add", "inputs": ["attn_out", "input"]},
        {"name": "layernorm1", "type": "activation", "function": "layernorm"},
        {"name": "ffn1", "type": "matmul", "out_features": FF},
        {"name": "gelu", "type": "activation", "function": "gelu"},
        {"name": "ffn2", "type": "matmul", "out_features": D},
        {"name": "add2", "type": "add", "inputs": ["ffn2", "layernorm1"]},
        {"name": "layernorm2", "type": "activation", "function": "layernorm"},
    ]


def bert_reference():
    T, D, H, FF = BERT_T, BERT_D, BERT_HEADS, BERT_FFN
    dh = D // H                      # 64 features per head
    proj = T * D * D                 # 128*768*768
    attn = H * T * dh * T            # 12*128*64*128 (scores and context alike)
    ffn = T * D * FF                 # 128*768*3072
    rows = [
        ("q", "matmul", [D, T, 1], proj),
        ("k", "matmul", [D, T, 1], proj),
        ("v", "matmul", [D, T, 1], proj),
        ("scores", "matmul", [H * T, T, 1], attn),     # per head T x T scores
        ("softmax", "activation", [H * T, T, 1], 0),
        ("context", "matmul", [H * dh, T, 1], attn),
        ("attn_out", "matmul", [D, T, 1], proj),
        ("add1", "add", [D, T, 1], 0),
        ("layernorm1", "activation", [D, T, 1], 0),
        ("ffn1", "matmul", [FF, T, 1], ffn),
        ("gelu", "activation", [FF, T, 1], 0),
        ("ffn2", "matmul", [D, T, 1], ffn),
        ("add2", "add", [D, T, 1], 0),
        ("layernorm2", "activation", [D, T, 1], 0),
    ]
    out = [{"name": n, "type": t, "output_shape": s, "macs": m} for n, t, s, m in rows]
    total = 4 * proj + 2 * attn + 2 * ffn
    assert total == sum(r["macs"] for r in out)
    return out, total


# --------------------------------------------------------------------------------------
# YAML / JSON writing
# --------------------------------------------------------------------------------------

KEY_ORDER = ["name", "type", "input", "inputs", "b", "function", "filters", "out_features",
             "kernel", "stride", "padding", "dilation", "groups", "heads", "transpose_b",
             "global"]


def fmt_value(v):
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, (list, tuple)):
        return "[" + ", ".join(fmt_value(x) for x in v) + "]"
    if isinstance(v, str):
        assert NAME_RE.match(v) and v.lower() not in YAML_RESERVED, v
        return v
    raise TypeError(v)


def public(layer):
    return {k: v for k, v in layer.items() if not k.startswith("_")}


def write_yaml(path, name, input_chw, header, layers, comments=None):
    comments = comments or {}
    c, h, w = input_chw
    lines = ["# " + line if line else "#" for line in header]
    lines += ["#", "# Generated by scripts/export_workloads.py -- do not edit by hand; regenerate with",
              "#   /usr/bin/python3 scripts/export_workloads.py",
              "# Format: docs/workloads.md.", "",
              "name: %s" % name,
              "input: {channels: %d, height: %d, width: %d}" % (c, h, w),
              "batch: 1",
              "layers:"]
    for layer in layers:
        for line in comments.get(layer["name"], []):
            lines.append("  # " + line)
        d = public(layer)
        unknown = set(d) - set(KEY_ORDER)
        assert not unknown, unknown
        items = ["%s: %s" % (k, fmt_value(d[k])) for k in KEY_ORDER if k in d]
        lines.append("  - {" + ", ".join(items) + "}")
    text = "\n".join(lines) + "\n"
    # Round trip: what PyYAML reads back must be exactly what we meant.
    doc = yaml.safe_load(text)
    assert doc["layers"] == [public(l) for l in layers], path
    with open(path, "w") as f:
        f.write(text)


def write_reference(path, nets):
    """JSON with one layer per line (diff-friendly)."""
    out = ["{",
           '  "description": "Independent reference for workloads/*.yaml, generated by '
           'scripts/export_workloads.py: total MACs (conv2d + fc + matmul, batch 1) and, for '
           'every YAML layer in YAML order, its type, output shape [C, H, W] (tokens: '
           '[channels, tokens, 1]) and MACs. Counted with PyTorch forward hooks on the real '
           'torchvision modules (BERT: hand formulas), not from the YAML.",',
           '  "networks": {']
    for i, (name, file, total, rows) in enumerate(nets):
        out.append('    %s: {' % json.dumps(name))
        out.append('      "file": %s,' % json.dumps(file))
        out.append('      "total_macs": %d,' % total)
        out.append('      "layers": [')
        for j, r in enumerate(rows):
            out.append("        " + json.dumps(r) + ("," if j + 1 < len(rows) else ""))
        out.append("      ]")
        out.append("    }" + ("," if i + 1 < len(nets) else ""))
    out += ["  }", "}"]
    text = "\n".join(out) + "\n"
    json.loads(text)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write(text)


# --------------------------------------------------------------------------------------
# Check: re-derive shapes and MACs from the YAML alone (rules of docs/workloads.md)
# --------------------------------------------------------------------------------------

def _pair(v):
    return (v, v) if isinstance(v, int) else tuple(v)


def _pad4(v):
    if isinstance(v, int):
        return (v, v, v, v)
    if len(v) == 2:
        return (v[0], v[0], v[1], v[1])
    return tuple(v)


def evaluate_yaml(doc):
    inp = doc["input"]
    batch = doc.get("batch", 1)
    shapes = {"input": (inp["channels"], inp["height"], inp["width"])}
    prev = "input"
    rows = []
    for L in doc["layers"]:
        name, t = L["name"], L["type"]
        assert NAME_RE.match(name) and name not in shapes, "bad or duplicate name %r" % name
        macs = 0
        if t == "add":
            assert "input" not in L
            a, b = L["inputs"]
            assert a in shapes and b in shapes, (name, a, b)
            assert shapes[a] == shapes[b], (name, shapes[a], shapes[b])
            out = shapes[a]
        else:
            src = L.get("input", prev)
            assert src in shapes, (name, src)
            C, H, W = shapes[src]
            if t in ("conv2d", "maxpool", "avgpool"):
                if L.get("global"):
                    kh, kw, sh, sw, pad, dh, dw = H, W, 1, 1, (0, 0, 0, 0), 1, 1
                else:
                    kh, kw = _pair(L["kernel"])
                    default_stride = 1 if t == "conv2d" else L["kernel"]
                    sh, sw = _pair(L.get("stride", default_stride))
                    pad = _pad4(L.get("padding", 0))
                    dh, dw = _pair(L.get("dilation", 1))
                E = (H + pad[0] + pad[1] - dh * (kh - 1) - 1) // sh + 1
                F = (W + pad[2] + pad[3] - dw * (kw - 1) - 1) // sw + 1
                assert E > 0 and F > 0, name
                if t == "conv2d":
                    g, f = L.get("groups", 1), L["filters"]
                    assert C % g == 0 and f % g == 0, name
                    macs = g * (batch * E * F) * ((C // g) * kh * kw) * (f // g)
                    out = (f, E, F)
                else:
                    out = (C, E, F)
            elif t == "fc":
                macs = batch * (C * H * W) * L["out_features"]
                out = (L["out_features"], 1, 1)
            elif t == "matmul":
                assert W == 1, name
                if "out_features" in L:
                    assert "b" not in L
                    macs = batch * H * C * L["out_features"]
                    out = (L["out_features"], H, 1)
                else:
                    assert L["b"] in shapes, (name, L["b"])
                    heads = L.get("heads", 1)
                    BC, BT, BW = shapes[L["b"]]
                    assert C % heads == 0 and BW == 1, name
                    M, K = H, C // heads
                    if L.get("transpose_b", False):
                        assert BC == heads * K, name
                        N = BT
                    else:
                        assert BT == K and BC % heads == 0, name
                        N = BC // heads
                    macs = batch * heads * M * K * N
                    out = (heads * N, M, 1)
            elif t == "activation":
                assert L["function"] in ("relu", "relu6", "gelu", "sigmoid", "tanh",
                                         "softmax", "layernorm"), name
                out = (C, H, W)
            else:
                raise AssertionError("unknown type %r" % t)
        shapes[name] = out
        prev = name
        rows.append({"name": name, "type": t, "output_shape": list(out), "macs": macs})
    return rows


def check(names):
    with open(REFERENCE) as f:
        ref = json.load(f)["networks"]
    ok = True
    for name in names:
        path = os.path.join(WORKLOADS, name + ".yaml")
        with open(path) as f:
            doc = yaml.safe_load(f)
        assert doc["name"] == name
        rows = evaluate_yaml(doc)
        r = ref[name]
        total = sum(x["macs"] for x in rows)
        same = rows == r["layers"] and total == r["total_macs"]
        ok &= same
        print("%-16s %4d layers  %15d MACs (%.4g G)  %s" % (
            name, len(rows), r["total_macs"], r["total_macs"] / 1e9,
            "YAML matches reference" if same else "MISMATCH"))
        if not same:
            for a, b in zip(rows, r["layers"]):
                if a != b:
                    print("   yaml %s\n   ref  %s" % (a, b))
                    break
    return ok


# --------------------------------------------------------------------------------------

def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--check", action="store_true", help="only check the files on disk")
    args = ap.parse_args()
    all_names = [s["name"] for s in network_specs()] + ["bert_base_block"]
    if args.check:
        sys.exit(0 if check(all_names) else 1)

    import torch
    torch.manual_seed(0)
    os.makedirs(WORKLOADS, exist_ok=True)
    nets = []
    for spec in network_specs():
        model = spec["build"]().eval()
        layers = trace_layers(model, spec["input"])
        rows, total = reference_for(layers, model, spec["input"])
        if spec["name"] in TORCHVISION_GMACS:
            doc_g = TORCHVISION_GMACS[spec["name"]]
            assert abs(total / 1e9 - doc_g) <= 0.01 * doc_g, (spec["name"], total)
        comments = {}
        if spec["name"] in ("alexnet", "vgg16"):
            first_fc = next(l["name"] for l in layers if l["type"] == "fc")
            size = 6 if spec["name"] == "alexnet" else 7
            comments[first_fc] = [
                "torchvision's avgpool = AdaptiveAvgPool2d((%d, %d)) is an identity at 224x224"
                % (size, size),
                "input and is omitted; flatten is implied by fc; dropout omitted."]
        write_yaml(os.path.join(WORKLOADS, spec["name"] + ".yaml"), spec["name"],
                   spec["input"], spec["header"], layers, comments)
        nets.append((spec["name"], "workloads/%s.yaml" % spec["name"], total, rows))

    layers = bert_layers()
    rows, total = bert_reference()
    assert [r["name"] for r in rows] == [l["name"] for l in layers]
    write_yaml(os.path.join(WORKLOADS, "bert_base_block.yaml"), "bert_base_block",
               (BERT_D, BERT_T, 1),
               ["One BERT-base encoder block (post-LayerNorm), 128 tokens, hidden 768, 12 heads",
                "(64 features each), FFN 3072, batch 1.  Token tensors are channels = features,",
                "height = tokens, width = 1.  Attention scores are (12*128) x 128: per head a",
                "128x128 score matrix.  Biases, scaling by 1/sqrt(64), dropout and the attention",
                "mask are not represented.  MACs: q/k/v/attn_out 128*768*768 each, scores and",
                "context 12*128*64*128 each, ffn1/ffn2 128*768*3072 each: 931,135,488 in total."],
               layers)
    nets.append(("bert_base_block", "workloads/bert_base_block.yaml", total, rows))

    write_reference(REFERENCE, nets)
    for name, _, total, rows in nets:
        print("wrote workloads/%s.yaml (%d layers, %d MACs)" % (name, len(rows), total))
    print("wrote tests/data/workload_reference.json")
    sys.exit(0 if check(all_names) else 1)


if __name__ == "__main__":
    main()

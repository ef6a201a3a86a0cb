"""Two convolutional networks for Fashion-MNIST that scripts/train_fashion_cnn.py trains, and
their export to qarch layers with BatchNorm folded into the convolutions.

- ResNet: a 3x3 stem of 16 channels at 28x28, three stages of three basic blocks (3x3 conv,
  BN, ReLU, 3x3 conv, BN, add, ReLU) at 16, 32 and 64 channels, each stage starting with a
  stride-2 block whose shortcut is a 1x1 stride-2 projection (conv + BN): 14x14, 7x7, 4x4;
  global average pooling and a linear head. 19 3x3 convolutions + 3 projections + fc.
- MobileNet: a 3x3 stem of 16 channels, then six depthwise-separable blocks (3x3 depthwise
  conv, BN, ReLU6, 1x1 pointwise conv, BN, ReLU6) widening to 32, 64, 128, 128, 256, 256
  channels, the first, third and fifth with a stride-2 depthwise conv (28 -> 14 -> 7 -> 4),
  global average pooling and a linear head.

`export(model)` folds every BN into the conv before it (W' = W * g / sqrt(v + eps),
b' = beta - mean * g / sqrt(v + eps), computed in float64, stored as float32) and returns the
qarch layers (dicts in the order of execution, names as in the YAML) with their parameters;
`run_exported` evaluates those layers in PyTorch float32, which is what qarch's fp32 functional
run must reproduce. Needs torch (Debian's python3-torch).
"""

import torch
from torch import nn
import torch.nn.functional as F

__all__ = ["ResNet", "MobileNet", "MODELS", "export", "run_exported"]


def _conv_bn(c_in, c_out, kernel, stride=1, groups=1):
    return nn.Sequential(nn.Conv2d(c_in, c_out, kernel, stride, kernel // 2, groups=groups, bias=False),
                         nn.BatchNorm2d(c_out))


class BasicBlock(nn.Module):
    def __init__(self, c_in, c_out, stride):
        super().__init__()
        self.conv1 = _conv_bn(c_in, c_out, 3, stride)
        self.conv2 = _conv_bn(c_out, c_out, 3)
        self.proj = _conv_bn(c_in, c_out, 1, stride) if stride != 1 or c_in != c_out else None

    def forward(self, x):
        y = self.conv2(torch.relu(self.conv1(x)))
        return torch.relu(y + (x if self.proj is None else self.proj(x)))


class ResNet(nn.Module):
    WIDTHS = (16, 32, 64)
    BLOCKS = 3

    def __init__(self):
        super().__init__()
        self.stem = _conv_bn(1, 16, 3)
        blocks, c = [], 16
        for width in self.WIDTHS:
            for b in range(self.BLOCKS):
                blocks.append(BasicBlock(c, width, 2 if b == 0 else 1))
                c = width
        self.blocks = nn.Sequential(*blocks)
        self.fc = nn.Linear(c, 10)

    def forward(self, x):
        x = self.blocks(torch.relu(self.stem(x)))
        return self.fc(torch.flatten(x.mean((2, 3)), 1))


class MobileNet(nn.Module):
    # (output channels of the pointwise conv, stride of the depthwise conv) per block
    BLOCKS = ((32, 2), (64, 1), (128, 2), (128, 1), (256, 2), (256, 1))

    def __init__(self):
        super().__init__()
        self.stem = _conv_bn(1, 16, 3)
        self.dw, self.pw, c = nn.ModuleList(), nn.ModuleList(), 16
        for width, stride in self.BLOCKS:
            self.dw.append(_conv_bn(c, c, 3, stride, groups=c))
            self.pw.append(_conv_bn(c, width, 1))
            c = width
        self.fc = nn.Linear(c, 10)

    def forward(self, x):
        x = F.relu6(self.stem(x))
        for dw, pw in zip(self.dw, self.pw):
            x = F.relu6(pw(F.relu6(dw(x))))
        return self.fc(torch.flatten(x.mean((2, 3)), 1))


MODELS = {"resnet": ResNet, "mobilenet": MobileNet}


def _fold(conv_bn):
    """(weight, bias) float32 of a conv followed by its BN in eval mode."""
    conv, bn = conv_bn[0], conv_bn[1]
    g = bn.weight.double() / torch.sqrt(bn.running_var.double() + bn.eps)
    w = conv.weight.double() * g.reshape(-1, 1, 1, 1)
    b = bn.bias.double() - bn.running_mean.double() * g
    return w.float().detach(), b.float().detach()


def export(model):
    """(layers, params): qarch layer dicts in execution order and {name: (weight, bias)}."""
    layers, params = [], {}

    def conv(name, conv_bn, inp=None):
        c = conv_bn[0]
        layer = {"name": name, "type": "conv2d", "filters": c.out_channels, "kernel": c.kernel_size[0]}
        if c.stride[0] != 1:
            layer["stride"] = c.stride[0]
        if c.padding[0] != 0:
            layer["padding"] = c.padding[0]
        if c.groups != 1:
            layer["groups"] = c.groups
        if inp is not None:
            layer["input"] = inp
        layers.append(layer)
        params[name] = _fold(conv_bn)

    def act(name, function):
        layers.append({"name": name, "type": "activation", "function": function})

    model.eval()
    if isinstance(model, ResNet):
        conv("stem", model.stem)
        act("stem.relu", "relu")
        x = "stem.relu"
        for i, blk in enumerate(model.blocks):
            stage, block = divmod(i, ResNet.BLOCKS)
            p = f"s{stage + 1}.b{block + 1}."
            conv(p + "conv1", blk.conv1, x)
            act(p + "relu1", "relu")
            conv(p + "conv2", blk.conv2)
            shortcut = x
            if blk.proj is not None:
                conv(p + "proj", blk.proj, x)
                shortcut = p + "proj"
            layers.append({"name": p + "add", "type": "add", "inputs": [p + "conv2", shortcut]})
            act(p + "relu2", "relu")
            x = p + "relu2"
    else:
        conv("stem", model.stem)
        act("stem.relu", "relu6")
        for i, (dw, pw) in enumerate(zip(model.dw, model.pw)):
            conv(f"dw{i + 1}", dw)
            act(f"dw{i + 1}.relu", "relu6")
            conv(f"pw{i + 1}", pw)
            act(f"pw{i + 1}.relu", "relu6")
    layers.append({"name": "pool", "type": "avgpool", "global": True})
    layers.append({"name": "fc", "type": "fc", "out_features": 10})
    params["fc"] = (model.fc.weight.detach().float(), model.fc.bias.detach().float())
    return layers, params


def run_exported(layers, params, x):
    """The exported layers on images x (N x 1 x 28 x 28) in PyTorch float32: logits N x 10."""
    values, prev = {"input": x}, "input"
    for layer in layers:
        name, kind = layer["name"], layer["type"]
        inp = values[layer.get("input", prev)]
        if kind == "conv2d":
            w, b = params[name]
            y = F.conv2d(inp, w, b, layer.get("stride", 1), layer.get("padding", 0), 1, layer.get("groups", 1))
        elif kind == "activation":
            y = torch.relu(inp) if layer["function"] == "relu" else F.relu6(inp)
        elif kind == "add":
            y = values[layer["inputs"][0]] + values[layer["inputs"][1]]
        elif kind == "avgpool":
            y = inp.mean((2, 3), keepdim=True)
        else:  # fc
            w, b = params[name]
            y = F.linear(torch.flatten(inp, 1), w, b)
        values[name] = y
        prev = name
    return values[prev]

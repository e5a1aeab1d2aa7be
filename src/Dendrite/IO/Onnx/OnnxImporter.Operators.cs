using System.Globalization;
using Dendrite.Onnx;

namespace Dendrite;

public static partial class OnnxImporter
{
    // One method per ONNX operation: each checks the node's attributes and weights and appends the layers it becomes.
    private sealed partial class Reader
    {
        private Value Gemm(NodeProto n, Value x)
        {
            if (Float(n, "alpha", 1f) != 1f || Float(n, "beta", 1f) != 1f || Int(n, "transA", 0) != 0)
                throw Bad($"{Name(n)}: Gemm with alpha, beta or transA is not a dense layer");
            return Dense(n, x, Weight(n, 1, 2), transposed: Int(n, "transB", 0) == 0, Optional(n, 2));
        }

        // y = x W^T + b with W [out, in]; ONNX's B is [in, out] unless transB.
        private Value Dense(NodeProto n, Value x, Const b, bool transposed, Const? bias)
        {
            int rows = b.Dims[0], cols = b.Dims[1];
            var w = b.Floats!;
            if (transposed)
            {
                w = new float[w.Length];
                for (int i = 0; i < rows; i++)
                    for (int j = 0; j < cols; j++) w[j * rows + i] = b.Floats![i * cols + j];
                (rows, cols) = (cols, rows);
            }
            var weight = new Const([rows, cols], w, null);
            var y = bias is null
                ? Layer(n, x, $"dense({rows},bias=false)", ("weight", weight))
                : Layer(n, x, $"dense({rows})", ("weight", weight), ("bias", bias));
            if (n.OpType == "MatMul") _matMuls.Add(y.Layers[^1]);
            return y;
        }

        private Value Conv(NodeProto n, Value x)
        {
            var w = Weight(n, 1, 4);
            if (Int(n, "group", 1) != 1) throw Bad($"{Name(n)}: grouped convolution (group {Int(n, "group", 1)}) is not one Dendrite runs");
            var (kh, kw) = (w.Dims[2], w.Dims[3]);
            var stride = Square(n, "strides", 1);
            var dilation = Square(n, "dilations", 1);
            var (ph, pw) = Pads(n);
            var bias = Optional(n, 2);
            string spec = $"conv({w.Dims[0]},{kh}x{kw},stride={stride},pad={ph}x{pw},dilation={dilation},bias={(bias is null ? "false" : "true")})";
            return bias is null ? Layer(n, x, spec, ("weight", w)) : Layer(n, x, spec, ("weight", w), ("bias", bias));
        }

        private Value Pool(NodeProto n, Value x, string kind)
        {
            var k = Ints(n, "kernel_shape") ?? throw Bad($"{Name(n)} has no kernel_shape");
            if (k.Length != 2 || k[0] != k[1]) throw Bad($"{Name(n)}: kernel {string.Join("x", k)}; Dendrite pools with square windows");
            if (Int(n, "ceil_mode", 0) != 0 || Square(n, "dilations", 1) != 1) throw Bad($"{Name(n)}: ceil_mode and dilations are not supported");
            var (ph, pw) = Pads(n);
            if (ph != pw) throw Bad($"{Name(n)}: pads {ph} and {pw} differ; Dendrite pools with the same padding each way");
            if (kind == "avgpool" && ph > 0 && Int(n, "count_include_pad", 0) != 0)
                throw Bad($"{Name(n)}: count_include_pad = 1; Dendrite's average pooling does not count the padding");
            return Layer(n, x, $"{kind}({k[0]},stride={Square(n, "strides", 1)},pad={ph})");
        }

        private Value BatchNorm(NodeProto n, Value x)
        {
            if (Int(n, "training_mode", 0) != 0) throw Bad($"{Name(n)}: training_mode = 1 is not an inference graph");
            return Layer(n, x, $"batchnorm(eps={Number(Float(n, "epsilon", 1e-5f))})", ("weight", Weight(n, 1, 1)), ("bias", Weight(n, 2, 1)),
                ("running_mean", Weight(n, 3, 1)), ("running_var", Weight(n, 4, 1)));
        }

        private Value Flatten(NodeProto n, Value x, bool toVector)
        {
            if (!toVector) throw Bad($"{Name(n)}: {n.OpType} other than to [N, features] is not one Dendrite imports");
            return x.Shape.Length == 1 ? x with { Pooled = false } : Layer(n, x, "flatten");
        }

        // Reshape to [N, features] with a constant shape: [-1, K], [0, -1], [N, K] where K is all of a sample.
        private bool IsFlattening(NodeProto n, Value x)
        {
            var shape = Optional(n, 1);
            if (shape?.Longs is not { Length: 2 } s) return false;
            long volume = Dendrite.Tensor.Volume(x.Shape);
            return s[1] == volume || (s[1] == -1 && s[0] is 0 or -1);
        }

        private Value Softmax(NodeProto n, Value x)
        {
            long axis = Int(n, "axis", -1);
            if (x.Shape.Length != 1 || axis is not (1 or -1)) throw Bad($"{Name(n)}: Softmax over axis {axis} of [N, {string.Join(", ", x.Shape)}]; Dendrite's is over the features of [N, K]");
            return Layer(n, x, "softmax");
        }

        private Value Add(NodeProto n, Value a)
        {
            if (n.Input.Count != 2) throw Bad($"{Name(n)} has {n.Input.Count} inputs");
            if (_consts.TryGetValue(n.Input[1], out var c) || _consts.TryGetValue(n.Input[0], out c))
            {
                // MatMul's bias: the bias-free dense layer becomes one with a bias.
                a = _values.GetValueOrDefault(n.Input[0]) ?? Input(n, 1);
                if (a.Layers.Length == 0 || !_matMuls.Contains(a.Layers[^1]) || c.Floats is null || c.Floats.Length != a.Shape[0])
                    throw Bad($"{Name(n)}: Add of a constant is imported only as the bias after MatMul");
                var before = new Value(a.Layers[..^1], Shape(a.Layers[..^1]));
                var weight = _weights[a.Layers[^1]]["weight"];
                return Layer(n, before, $"dense({a.Shape[0]})", ("weight", new Const([a.Shape[0], weight.Length / a.Shape[0]], weight, null)), ("bias", c));
            }
            var b = Input(n, 1);
            if (!a.Shape.SequenceEqual(b.Shape)) throw Bad($"{Name(n)} adds [N, {string.Join(", ", a.Shape)}] and [N, {string.Join(", ", b.Shape)}]");
            int p = 0;
            while (p < Math.Min(a.Layers.Length, b.Layers.Length) && ReferenceEquals(a.Layers[p], b.Layers[p])) p++;
            var from = p == 0 ? _input : Shape(a.Layers[..p]);
            var (body, shortcut) = b.Layers.Length == p ? (a.Layers[p..], b.Layers[p..]) : (b.Layers[p..], a.Layers[p..]);
            if (body.Length == 0) throw Bad($"{Name(n)} adds a tensor to itself");
            if (shortcut.Length > 0 && a.Layers.Length > p && b.Layers.Length > p && IsProjection(body))
                (body, shortcut) = (shortcut, body);
            var block = new Residual(body);
            var described = block.Describe(from).Tensors.Where(t => t.Name.StartsWith("projection.", StringComparison.Ordinal)).ToList();
            var offered = shortcut.SelectMany((l, i) => l.Describe(Shape(shortcut[..i], from)).Tensors.Select(t => t.Under($"projection.{i}"))).ToList();
            if (described.Count != offered.Count || described.Zip(offered).Any(d => d.First.Name != d.Second.Name || !d.First.Shape.SequenceEqual(d.Second.Shape)))
                throw Bad($"{Name(n)}: the shortcut ({(shortcut.Length == 0 ? "identity" : string.Join(",", shortcut.Select(l => l.Spec)))}) is not the one Dendrite's residual block " +
                          $"has for this body ({(described.Count == 0 ? "identity" : "a 1x1 convolution, with batch norm when the body has it")})");
            if (shortcut.Length > 0) _projections.Add((block, shortcut));
            return new Value([.. a.Layers[..p], block], a.Shape);
        }

        private static bool IsProjection(Layer[] layers) => layers[0] is Conv2d { KernelH: 1, KernelW: 1 } && layers.Length <= 2;

        private int[] Shape(Layer[] layers, int[]? from = null)
        {
            var shape = from ?? _input;
            foreach (var l in layers) shape = l.Describe(shape).Output;
            return shape;
        }

        // x - mean, then / std, on the graph's input before any layer: by a scalar, or per channel by a constant of C values
        // shaped to broadcast over [N, C, H, W] ([C, 1, 1] or [1, C, 1, 1]).
        private Value Normalise(NodeProto n, Value x)
        {
            var c = Optional(n, 1);
            if (x.Layers.Length > 0 || c?.Floats is not { Length: > 0 } v || v.Length > 1 && !PerChannel(c.Dims, v.Length))
                throw Bad($"{Name(n)}: {n.OpType} is imported only on the input (normalisation), by a scalar or one value per channel shaped [1, C, 1, 1]");
            if (_mean is not null && _mean.Length != v.Length)
                throw Bad($"{Name(n)}: {n.OpType} has {v.Length} values, the Sub before it {_mean.Length}");
            if (n.OpType == "Sub" && _mean is null && _std is null && v.All(float.IsFinite)) _mean = v;
            else if (n.OpType == "Div" && _std is null && v.All(s => s > 0 && float.IsFinite(s))) _std = v;
            else throw Bad($"{Name(n)}: {n.OpType} by {v[0]} is not a normalisation (x - mean) / std");
            return x;
        }

        private bool PerChannel(int[] dims, int values) =>
            _input.Length == 3 && _input[0] == values && dims.Length >= 3 && dims[^3] == values && dims[^2] == 1 && dims[^1] == 1 && dims[..^3].All(d => d == 1);
    }
}

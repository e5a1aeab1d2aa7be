using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json;
using Google.Protobuf;
using Dendrite.Onnx;

namespace Dendrite;

/// <summary>
/// Reads an ONNX model into a Dendrite network, for the operations Dendrite can run: Gemm, MatMul (+ Add of a bias),
/// Conv, Relu, LeakyRelu, Sigmoid, Tanh, Elu, MaxPool, AveragePool, GlobalAveragePool, BatchNormalization, Flatten and
/// Reshape to [N, features], Softmax, Add of two branches (a residual block: an identity shortcut, or ResNet's 1x1
/// convolution with batch norm), Dropout and Identity (inference: passed through), Constant, and Sub and Div by scalar
/// constants on the input (kept as the model's <see cref="Normalization"/>). Anything else is refused naming the node
/// and its op type. The graph is checked before anything is built: one float input [N, ...] with fixed sizes, every
/// initializer's dimensions non-negative and matching its data, no cycle, and every weight the shape its layer needs.
/// </summary>
public static class OnnxImporter
{
    private const int MaxInputValues = 1 << 26;

    /// <summary>Imports the ONNX file at <paramref name="path"/>; the network computes on <paramref name="engine"/>.</summary>
    /// <exception cref="FileNotFoundException">There is no such file.</exception>
    /// <exception cref="InvalidDataException">
    /// The file is not an ONNX model, is damaged, or uses what Dendrite cannot run; the message names the file and the node.
    /// </exception>
    public static SavedModel Import(string path, Engine? engine = null)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: file not found", path);
        using var stream = File.OpenRead(path);
        return Import(stream, path, engine);
    }

    /// <summary>As <see cref="Import(string, Engine?)"/>, from a stream; <paramref name="path"/> names it in errors.</summary>
    public static SavedModel Import(Stream stream, string path, Engine? engine = null)
    {
        ModelProto model;
        try
        {
            model = ModelProto.Parser.ParseFrom(CodedInputStream.CreateWithLimits(stream, int.MaxValue, 64));
        }
        catch (InvalidProtocolBufferException e)
        {
            throw new InvalidDataException($"{path}: not an ONNX model: {e.Message}");
        }
        if (model.Graph is null) throw new InvalidDataException($"{path}: not an ONNX model: no graph");
        try
        {
            return new Reader(model, path).Read(engine);
        }
        catch (Exception e) when (e is SpecException or ShapeException)
        {
            throw new InvalidDataException($"{path}: {e.Message}");
        }
    }

    // A constant: float values (initializers, weights) or integers (Reshape's shape).
    private sealed record Const(int[] Dims, float[]? Floats, long[]? Longs);

    // A computed tensor: the layers from the graph's input to it, and its per-sample shape as Dendrite holds it.
    private sealed record Value(Layer[] Layers, int[] Shape, bool Pooled = false);

    private sealed class Reader(ModelProto model, string path)
    {
        private readonly GraphProto _g = model.Graph;
        private readonly Dictionary<string, Const> _consts = [];
        private readonly Dictionary<string, Value> _values = [];
        private readonly Dictionary<Layer, Dictionary<string, float[]>> _weights = [];
        private readonly List<(Residual Block, Layer[] Shortcut)> _projections = [];
        private readonly HashSet<Layer> _matMuls = [];
        private float? _mean, _std;
        private int[] _input = [];

        public SavedModel Read(Engine? engine)
        {
            foreach (var t in _g.Initializer) _consts[t.Name] = Tensor(t, $"initializer '{Clip(t.Name)}'");
            var inputs = _g.Input.Where(i => !_consts.ContainsKey(i.Name)).ToList();
            if (inputs.Count != 1) throw Bad($"the graph has {inputs.Count} inputs besides its weights; Dendrite models take one");
            _input = InputShape(inputs[0]);
            _values[inputs[0].Name] = new Value([], _input);
            foreach (var node in Sorted()) Node(node);

            if (_g.Output.Count != 1) throw Bad($"the graph has {_g.Output.Count} outputs; Dendrite models have one");
            if (!_values.TryGetValue(_g.Output[0].Name, out var output) || output.Layers.Length == 0)
                throw Bad($"output '{Clip(_g.Output[0].Name)}' is not computed from the input by layers");
            var net = new Sequential(output.Layers);
            net.Build(_input, engine: engine);
            Fill(net);
            var meta = ModelMetadata.Describe(net, new SoftmaxCrossEntropy(), ClassNames(net), new Normalization(_mean ?? 0f, _std ?? 1f));
            // The model as a Dendrite model file holds it, so the result is what loading that file gives.
            var bytes = new MemoryStream();
            ModelFile.Writer(net, meta).WriteTo(bytes);
            bytes.Position = 0;
            return new SavedModel(net, meta, SafeTensorsFile.Read(bytes, path));
        }

        private Const Tensor(TensorProto t, string what)
        {
            var dims = new int[t.Dims.Count];
            long volume = 1;
            for (int i = 0; i < dims.Length; i++)
            {
                if (t.Dims[i] < 0 || t.Dims[i] > int.MaxValue) throw Bad($"{what} has dimension {t.Dims[i]}");
                dims[i] = (int)t.Dims[i];
                volume = Math.Min(volume * dims[i], long.MaxValue / int.MaxValue);
            }
            int size = t.DataType switch { 1 => 4, 7 => 8, _ => throw Bad($"{what} has data type {t.DataType}; Dendrite reads float (1) and int64 (7)") };
            long have = t.RawData.Length > 0 ? t.RawData.Length / size : size == 4 ? t.FloatData.Count : t.Int64Data.Count;
            if (t.RawData.Length % size != 0 || have != volume)
                throw Bad($"{what} has shape {Dendrite.Tensor.Format(dims)} ({volume} values) but holds {have}");
            if (size == 4)
                return new Const(dims, t.RawData.Length > 0 ? MemoryMarshal.Cast<byte, float>(t.RawData.Span).ToArray() : [.. t.FloatData], null);
            return new Const(dims, null, t.RawData.Length > 0 ? MemoryMarshal.Cast<byte, long>(t.RawData.Span).ToArray() : [.. t.Int64Data]);
        }

        private int[] InputShape(ValueInfoProto input)
        {
            var type = input.Type?.TensorType;
            if (type is null || type.ElemType != 1) throw Bad($"input '{Clip(input.Name)}' is not a float tensor");
            var dims = type.Shape?.Dim.Skip(1).ToList() ?? [];
            if (type.Shape is null || dims.Count is 0 or > 3) throw Bad($"input '{Clip(input.Name)}' is not [N, features] or [N, C, H, W]");
            var shape = new int[dims.Count];
            long volume = 1;
            for (int i = 0; i < shape.Length; i++)
            {
                long d = dims[i].ValueCase == TensorShapeProto.Types.Dimension.ValueOneofCase.DimValue ? dims[i].DimValue : -1;
                if (d <= 0 || (volume *= d) > MaxInputValues)
                    throw Bad($"input '{Clip(input.Name)}' dimension {i + 1} is {(d <= 0 ? "not a positive size" : d.ToString(CultureInfo.InvariantCulture))}; Dendrite needs fixed sizes, at most {MaxInputValues} values per sample");
                shape[i] = (int)d;
            }
            return shape;
        }

        // The nodes in an order where each comes after those it reads from (Kahn); a cycle leaves nodes unplaced.
        private List<NodeProto> Sorted()
        {
            var producer = new Dictionary<string, int>();
            for (int i = 0; i < _g.Node.Count; i++)
                foreach (var o in _g.Node[i].Output)
                    if (o.Length > 0 && !producer.TryAdd(o, i)) throw Bad($"tensor '{Clip(o)}' is the output of two nodes");
            var waiting = new int[_g.Node.Count];
            var readers = new List<int>[_g.Node.Count];
            for (int i = 0; i < _g.Node.Count; i++) readers[i] = [];
            for (int i = 0; i < _g.Node.Count; i++)
                foreach (var input in _g.Node[i].Input.Distinct())
                    if (producer.TryGetValue(input, out int p)) { waiting[i]++; readers[p].Add(i); }
            var ready = new Queue<int>(Enumerable.Range(0, _g.Node.Count).Where(i => waiting[i] == 0));
            var order = new List<NodeProto>();
            while (ready.TryDequeue(out int i))
            {
                order.Add(_g.Node[i]);
                foreach (int r in readers[i])
                    if (--waiting[r] == 0) ready.Enqueue(r);
            }
            if (order.Count < _g.Node.Count)
                throw Bad($"the graph has a cycle through {Name(_g.Node[Array.FindIndex(waiting, w => w > 0)])}");
            return order;
        }

        private void Node(NodeProto n)
        {
            if (n.Domain is not ("" or "ai.onnx")) throw Bad($"{Name(n)} is in domain '{Clip(n.Domain)}'; Dendrite imports standard ONNX operations");
            if (n.OpType == "Constant")
            {
                var value = n.Attribute.FirstOrDefault(a => a.Name == "value")?.T ?? throw Bad($"{Name(n)} has no tensor 'value'");
                _consts[n.Output[0]] = Tensor(value, Name(n));
                return;
            }
            var x = Input(n, 0);
            Value y = n.OpType switch
            {
                "Gemm" => Gemm(n, x),
                "MatMul" => Dense(n, x, Weight(n, 1, 2), transposed: true, bias: null),
                "Conv" => Conv(n, x),
                "Relu" => Layer(n, x, "relu"),
                "Sigmoid" => Layer(n, x, "sigmoid"),
                "Tanh" => Layer(n, x, "tanh"),
                "LeakyRelu" => Layer(n, x, $"leakyrelu({Number(Float(n, "alpha", 0.01f))})"),
                "Elu" => Layer(n, x, $"elu({Number(Float(n, "alpha", 1f))})"),
                "MaxPool" => Pool(n, x, "maxpool"),
                "AveragePool" => Pool(n, x, "avgpool"),
                "GlobalAveragePool" => Layer(n, x, "gap") with { Pooled = true },
                "BatchNormalization" => BatchNorm(n, x),
                "Flatten" => Flatten(n, x, Int(n, "axis", 1) == 1),
                "Reshape" => Flatten(n, x, IsFlattening(n, x)),
                "Softmax" => Softmax(n, x),
                "Add" => Add(n, x),
                "Sub" or "Div" => Normalise(n, x),
                "Dropout" or "Identity" => x,
                _ => throw Bad($"{Name(n)}: {Clip(n.OpType)} is not an operation Dendrite can import"),
            };
            _values[n.Output[0]] = y;
        }

        private Value Input(NodeProto n, int i)
        {
            if (n.Input.Count <= i) throw Bad($"{Name(n)} has no input {i + 1}");
            if (_values.TryGetValue(n.Input[i], out var v)) return v;
            throw Bad(_consts.ContainsKey(n.Input[i])
                ? $"{Name(n)} computes on the constant '{Clip(n.Input[i])}'; Dendrite imports layers applied to the input"
                : $"{Name(n)} reads '{Clip(n.Input[i])}', which nothing produces");
        }

        private Const? Optional(NodeProto n, int i) =>
            n.Input.Count > i && n.Input[i].Length > 0 ? _consts.GetValueOrDefault(n.Input[i]) ?? throw Bad($"{Name(n)}: input '{Clip(n.Input[i])}' must be a constant") : null;

        private Const Weight(NodeProto n, int i, int rank)
        {
            var c = Optional(n, i) ?? throw Bad($"{Name(n)} has no input {i + 1}");
            if (c.Floats is null || c.Dims.Length != rank) throw Bad($"{Name(n)}: '{Clip(n.Input[i])}' is not a float tensor of rank {rank}");
            return c;
        }

        // Appends a layer made from its spec text; its weights (by the layer's names) must have the shapes it describes.
        private Value Layer(NodeProto n, Value x, string spec, params (string Name, Const Value)[] weights)
        {
            if (x.Pooled && spec != "flatten") throw Bad($"{Name(n)} follows GlobalAveragePool; Dendrite imports only Flatten or Reshape there");
            var layer = LayerCatalog.Create(LayerSpec.ParseAll(spec)[0]);
            var described = layer.Describe(x.Shape);
            foreach (var t in described.Tensors)
            {
                var w = weights.FirstOrDefault(w => w.Name == t.Name).Value ?? throw Bad($"{Name(n)} gives no {t.Name} for {spec}");
                if (!w.Dims.SequenceEqual(t.Shape) && Dendrite.Tensor.Volume(w.Dims) != t.Volume)
                    throw Bad($"{Name(n)}: {t.Name} is {Dendrite.Tensor.Format(w.Dims)}, {spec} on {Dendrite.Tensor.Format(x.Shape)} needs {Dendrite.Tensor.Format(t.Shape)}");
            }
            _weights[layer] = weights.ToDictionary(w => w.Name, w => w.Value.Floats!);
            return new Value([.. x.Layers, layer], described.Output);
        }

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

        // x - mean, then / std, on the graph's input before any layer.
        private Value Normalise(NodeProto n, Value x)
        {
            var c = Optional(n, 1);
            if (x.Layers.Length > 0 || c?.Floats is not { Length: 1 } v)
                throw Bad($"{Name(n)}: {n.OpType} is imported only by a scalar constant on the input (normalisation)");
            if (n.OpType == "Sub" && _mean is null && _std is null) _mean = v[0];
            else if (n.OpType == "Div" && _std is null && v[0] > 0) _std = v[0];
            else throw Bad($"{Name(n)}: {n.OpType} by {v[0]} is not a normalisation (x - mean) / std");
            return x;
        }

        private void Fill(Sequential net)
        {
            foreach (var layer in net.Walk())
                if (_weights.TryGetValue(layer, out var w)) Copy(layer, w);
            foreach (var (block, shortcut) in _projections)
                for (int i = 0; i < shortcut.Length; i++)
                {
                    var target = block.Projection!.Layers[i];
                    if (target.Spec != shortcut[i].Spec)
                        throw Bad($"the shortcut's {shortcut[i].Spec} is not Dendrite's projection {target.Spec}");
                    Copy(target, _weights[shortcut[i]]);
                }
        }

        private static void Copy(Layer layer, Dictionary<string, float[]> w)
        {
            foreach (var (name, p) in layer.NamedParameters) w[name].CopyTo(p.Value.Span);
            foreach (var (name, b) in layer.Buffers) w[name].CopyTo(b.Span);
        }

        private string[]? ClassNames(Sequential net)
        {
            var text = model.MetadataProps.FirstOrDefault(p => p.Key == "class_names")?.Value;
            try
            {
                var names = text is null ? null : JsonSerializer.Deserialize<string[]>(text);
                return names is not null && names.Length == Dendrite.Tensor.Volume(net.OutputShape) && names.All(s => s is not null) ? names : null;
            }
            catch (JsonException)
            {
                return null;
            }
        }

        private int[]? Ints(NodeProto n, string name) => n.Attribute.FirstOrDefault(a => a.Name == name) is { } a ? [.. a.Ints.Select(v => (int)Math.Clamp(v, -1, int.MaxValue))] : null;

        private static long Int(NodeProto n, string name, long fallback) => n.Attribute.FirstOrDefault(a => a.Name == name)?.I ?? fallback;

        private static float Float(NodeProto n, string name, float fallback) => n.Attribute.FirstOrDefault(a => a.Name == name)?.F ?? fallback;

        private int Square(NodeProto n, string name, int fallback)
        {
            var v = Ints(n, name);
            if (v is null) return fallback;
            if (v.Length != 2 || v[0] != v[1] || v[0] <= 0) throw Bad($"{Name(n)}: {name} [{string.Join(", ", v)}]; Dendrite takes the same positive value both ways");
            return v[0];
        }

        private (int H, int W) Pads(NodeProto n)
        {
            var auto = n.Attribute.FirstOrDefault(a => a.Name == "auto_pad")?.S.ToStringUtf8();
            if (auto is not (null or "NOTSET" or "VALID")) throw Bad($"{Name(n)}: auto_pad {Clip(auto)} is not supported; give pads");
            var p = Ints(n, "pads") ?? [0, 0, 0, 0];
            if (p.Length != 4 || p[0] != p[2] || p[1] != p[3] || p.Any(v => v < 0))
                throw Bad($"{Name(n)}: pads [{string.Join(", ", p)}]; Dendrite pads the same on both sides");
            return (p[0], p[1]);
        }

        private static string Number(float v) => v.ToString("R", CultureInfo.InvariantCulture);

        private static string Name(NodeProto n) => $"node '{Clip(n.Name.Length > 0 ? n.Name : n.Output.FirstOrDefault() ?? "")}' ({Clip(n.OpType)})";

        private static string Clip(string s) => SafeTensorsFile.Clip(s);

        private InvalidDataException Bad(string message) => new($"{path}: {message}");
    }
}

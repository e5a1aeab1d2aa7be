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
public static partial class OnnxImporter
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

    private sealed partial class Reader(ModelProto model, string path)
    {
        private readonly GraphProto _g = model.Graph;
        private readonly Dictionary<string, Const> _consts = [];
        private readonly Dictionary<string, Value> _values = [];
        private readonly Dictionary<Layer, Dictionary<string, float[]>> _weights = [];
        private readonly List<(Residual Block, Layer[] Shortcut)> _projections = [];
        private readonly HashSet<Layer> _matMuls = [];
        private float[]? _mean, _std;
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
            Sequential net;
            try
            {
                net = new Sequential(output.Layers);
            }
            catch (ArgumentException e)
            {
                // A value read by two branches that do not form one residual block puts its layers in two places
                // (found by fuzzing, fuzz/regressions/onnx).
                throw Bad($"the graph computes one layer in two places: {e.Message}");
            }
            net.Build(_input, engine: engine);
            Fill(net);
            // Sub and Div have the same number of values (Normalise checks); a missing one is the identity.
            var mean = _mean ?? new float[_std?.Length ?? 1];
            var normalization = new Normalization(mean, _std ?? [.. Enumerable.Repeat(1f, mean.Length)]);
            var meta = ModelMetadata.Describe(net, new SoftmaxCrossEntropy(), ClassNames(net), normalization);
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
            if (n.Output.Count == 0) throw Bad($"{Name(n)} has no output"); // found by fuzzing (fuzz/regressions/onnx)
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

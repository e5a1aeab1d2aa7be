using Dendrite.Tests.IO;

namespace Dendrite.Tests.Blocks;

/// <summary>
/// A learnable per-feature scale: y = x * s, s in [features] starting at 1; dL/ds = sum over the batch of dy * x,
/// dL/dx = dy * s. Written here, outside the library, as a user would: one class and one registration line.
/// </summary>
public sealed class Scale : Layer, ISpecLayer<Scale>
{
    private Parameter? _s;
    private Tensor? _x, _y, _dx;

    public static LayerSyntax Syntax { get; } = new("scale", "scale");
    public static Scale FromSpec(LayerSpec spec) => new();

    public override string Spec => "scale";
    public Parameter Factors => _s!;

    public override LayerShape Describe(int[] inputShape) => new((int[])inputShape.Clone(), new NamedShape("factor", [Tensor.Volume(inputShape)]));

    protected override void OnBuild(int[] inputShape, Rng rng)
    {
        var s = new Tensor(Tensor.Volume(inputShape));
        s.Span.Fill(1f);
        _s = new Parameter("factor", s) { Decays = false };
        Learns(_s);
    }

    public override Tensor Forward(Tensor x, bool training)
    {
        CheckInput(x);
        _x = x;
        var y = Tensor.Ensure(ref _y, x[0], OutputShape);
        int f = _s!.Length;
        for (int i = 0; i < x.Length; i++) y.Span[i] = x.Span[i] * _s.Value.Span[i % f];
        return y;
    }

    public override Tensor Backward(Tensor dy)
    {
        var dx = Tensor.Ensure(ref _dx, dy[0], InputShape);
        int f = _s!.Length;
        for (int i = 0; i < dy.Length; i++)
        {
            _s.Grad.Span[i % f] += dy.Span[i] * _x!.Span[i];
            dx.Span[i] = dy.Span[i] * _s.Value.Span[i % f];
        }
        return dx;
    }

    // [features] broadcasts over [N, features]; for images the factors are reshaped to the sample's shape.
    public override string ToOnnx(OnnxBuilder onnx, string x) => onnx.Add("Mul", [x, onnx.Constant("factor", InputShape, _s!.Value.Span)]);
}

/// <summary>
/// A user's composite: a gated linear unit y = a(x) * sigmoid(b(x)) with two dense layers inside, named "a" and "b"
/// (so their tensors are a.weight and b.weight, no collision). dL/da = dy * sigmoid(b); dL/db = dy * a * g (1 - g).
/// </summary>
public sealed class Gated : Layer, ISpecLayer<Gated>
{
    private readonly Dense _a, _b;
    private Tensor? _y, _da, _db, _dx, _gate;

    public Gated(int units)
    {
        (_a, _b) = (new Dense(units, Initializer.Xavier), new Dense(units, Initializer.Xavier));
        Adopt(_a, "a", 1);
        Adopt(_b, "b", 2);
    }

    public static LayerSyntax Syntax { get; } = new("gated", "gated(units)", 1);
    public static Gated FromSpec(LayerSpec spec) => new(spec.Int(0, "units"));

    public override string Spec => $"gated({_a.Units})";
    public override IReadOnlyList<Layer> Children => [_a, _b];
    public override bool TakesVectors => true;

    public override IEnumerable<(string Name, Parameter Parameter)> NamedParameters => ChildParameters();

    public override LayerShape Describe(int[] inputShape) =>
        new(_a.Describe(inputShape).Output, [.. Children.SelectMany(c => c.Describe(inputShape).Tensors.Select(t => t.Under(c.LocalName)))]);

    protected override void OnBuild(int[] inputShape, Rng rng)
    {
        _a.Build(inputShape, rng);
        _b.Build(inputShape, rng);
        Learns([.. _a.Parameters, .. _b.Parameters]);
    }

    public override Tensor Forward(Tensor x, bool training)
    {
        var a = _a.Forward(x, training);
        var b = _b.Forward(x, training);
        var gate = Tensor.Ensure(ref _gate, x[0], OutputShape);
        System.Numerics.Tensors.TensorPrimitives.Sigmoid(b.Span, gate.Span);
        var y = Tensor.Ensure(ref _y, x[0], OutputShape);
        System.Numerics.Tensors.TensorPrimitives.Multiply(a.Span, gate.Span, y.Span);
        return y;
    }

    public override Tensor Backward(Tensor dy)
    {
        int n = dy[0];
        var da = Tensor.Ensure(ref _da, n, OutputShape);
        var db = Tensor.Ensure(ref _db, n, OutputShape);
        var y = _y!.Span;
        var g = _gate!.Span;
        for (int i = 0; i < dy.Length; i++)
        {
            da.Span[i] = dy.Span[i] * g[i];
            db.Span[i] = dy.Span[i] * y[i] * (1 - g[i]); // a * g * (1 - g) = y * (1 - g)
        }
        var dxa = _a.Backward(da);
        var dxb = _b.Backward(db);
        var dx = Tensor.Ensure(ref _dx, n, InputShape);
        System.Numerics.Tensors.TensorPrimitives.Add(dxa.Span, dxb.Span, dx.Span);
        return dx;
    }

    public override string ToOnnx(OnnxBuilder onnx, string x) =>
        onnx.Add("Mul", [onnx.Child(_a, x), onnx.Add("Sigmoid", [onnx.Child(_b, x)])]);
}

/// <summary>A layer and a composite defined outside the library: spec strings, training, model files, gradcheck, ONNX.</summary>
public class CustomLayerTests
{
    static CustomLayerTests()
    {
        LayerCatalog.Register<Scale>();
        LayerCatalog.Register<Gated>();
        Unmapped.Ensure();
    }

    private const string Spec = "flatten,scale,gated(12),relu,residual(gated(12)),dense(4),softmax";

    [Fact]
    public void Registered_layers_work_in_spec_strings_and_get_path_names()
    {
        var net = SmallData.Net(Spec);
        Assert.Equal(Spec, net.Spec);
        Assert.Equal(["1.factor", "2.a.weight", "2.a.bias", "2.b.weight", "2.b.bias", "4.body.0.a.weight", "4.body.0.a.bias",
            "4.body.0.b.weight", "4.body.0.b.bias", "5.weight", "5.bias"], net.NamedParameters.Select(p => p.Name));
        Assert.True(LayerCatalog.IsRegistered("gated"));
        Assert.Contains("gated(units)", LayerCatalog.Names);
    }

    [Fact]
    public void Gradients_match_central_differences()
    {
        var rng = new Rng(3);
        var net = SmallData.Net(Spec);
        foreach (var p in net.Parameters.Where(p => p.Name == "factor")) rng.Uniform(p.Value.Span, 0.5f, 1.5f);
        var x = TestData.Random(rng, 0f, 1f, [5, .. net.InputShape]);
        var results = GradientCheck.CheckNetwork(net, new SoftmaxCrossEntropy(), x, TestData.OneHot(rng, 5, 4), rng);
        TestData.AssertGradients(results);
        Assert.Contains(results, r => r.Layer.Contains("gated(12)") && r.Tensor == "a.weight");
        Assert.Contains(results, r => r.Layer.Contains("scale") && r.Tensor == "factor");
    }

    [Fact]
    public void Trains_saves_loads_and_exports()
    {
        var (train, test) = (SmallData.Dataset(400, 1), SmallData.Dataset(200, 2));
        var net = ModelSpec.Build(Spec, train.SampleShape, train.OutputSize, seed: 2);
        var trainer = new Trainer(net, new SoftmaxCrossEntropy(), new Adam(0.01f));
        var before = trainer.Evaluate(test);
        var last = trainer.Fit(train, test, epochs: 4, batchSize: 32).ToList()[^1];
        Assert.True(last.TestAccuracy > before.Accuracy + 0.2f, $"{before.Accuracy} -> {last.TestAccuracy}");

        var path = Path.Combine(SmallData.TempDir(), "custom.safetensors");
        var meta = ModelMetadata.Describe(net, new SoftmaxCrossEntropy());
        ModelFile.Save(path, net, meta);
        var loaded = ModelFile.Load(path);
        Assert.Equal(Evaluator.Evaluate(net, new SoftmaxCrossEntropy(), test), Evaluator.Evaluate(loaded.Net, new SoftmaxCrossEntropy(), test));
        Assert.True(OnnxExportTests.MaxDifference(loaded.Net, Normalization.None) <= 1e-4f);
    }

    [Fact]
    public void A_layer_without_an_onnx_mapping_is_named_when_exporting()
    {
        var net = SmallData.Net("dense(6),residual(unmapped),dense(4)");
        var e = Assert.Throws<NotSupportedException>(() => OnnxExporter.Export(net, ModelMetadata.Describe(net, new SoftmaxCrossEntropy())));
        Assert.Equal("layer 3 residual > body.0 unmapped: Unmapped has no ONNX mapping (override Layer.ToOnnx to give one)", e.Message);
    }

    [Fact]
    public void Initialisers_are_public_and_draw_within_their_limits()
    {
        var w = new float[4000];
        Initialization.Fill(Initializer.He, w, fanIn: 24, fanOut: 8, new Rng(1));
        Assert.All(w, v => Assert.InRange(v, -0.5f, 0.5f)); // sqrt(6 / 24)
        Assert.True(w.Max() > 0.49f && w.Min() < -0.49f);
        Initialization.Fill(Initializer.Xavier, w, fanIn: 16, fanOut: 8, new Rng(1));
        Assert.All(w, v => Assert.InRange(v, -0.5f, 0.5f)); // sqrt(6 / 24)
        Assert.Throws<ArgumentOutOfRangeException>(() => Initialization.Fill(Initializer.He, w, 0, 1, new Rng(1)));
    }

    [Fact]
    public void Registering_a_taken_name_is_refused()
    {
        var e = Assert.Throws<ArgumentException>(() => LayerCatalog.Register(new LayerSyntax("relu", "relu"), _ => new ReLU()));
        Assert.StartsWith("layer name 'relu' is already registered", e.Message);
    }

    [Fact]
    public void Describe_states_shapes_without_building()
    {
        var net = new Sequential(ModelSpec.Parse("conv(4,3),residual(conv(8,3,stride=2,pad=1),batchnorm),gap,dense(3)"));
        var plan = net.Describe([2, 9, 9]);
        Assert.Equal([3], plan.Output);
        Assert.False(net.IsBuilt);
        Assert.Equal("1.projection.0.weight[8, 4, 1, 1]", plan.Tensors.Single(t => t.Name == "1.projection.0.weight").ToString());
        Assert.Equal(4 * 2 * 9 + 4 + 8 * 4 * 9 + 8 + 2 * 8 + 2 * 8 + 8 * 4 + 2 * 8 + 2 * 8 + 3 * 8 + 3, plan.Floats);
    }
}

/// <summary>A layer with no ONNX mapping, registered so a spec can name it.</summary>
public sealed class Unmapped : Layer, ISpecLayer<Unmapped>
{
    public static LayerSyntax Syntax { get; } = new("unmapped", "unmapped");
    public static Unmapped FromSpec(LayerSpec spec) => new();
    public override string Spec => "unmapped";
    public override LayerShape Describe(int[] inputShape) => new((int[])inputShape.Clone());
    public override Tensor Forward(Tensor x, bool training) => x;
    public override Tensor Backward(Tensor dy) => dy;

    /// <summary>Registers the type once (tests may run in any order).</summary>
    public static void Ensure() => LayerCatalog.Register<Unmapped>();
}

namespace Dendrite;

/// <summary>
/// A loss of two weights, L(x, y), with its gradient: what gradient descent walks down. The analytic ones are the
/// lecture's pictures: a round <see cref="Bowl"/> (every direction the same), an elongated <see cref="Valley"/>
/// (steep across, shallow along: plain descent zigzags) and <see cref="Rosenbrock"/>'s curved valley; <see cref="ForModel"/>
/// makes one from a real network with two weights and a data set. Each has a start, a window to draw and a learning rate
/// per optimizer that walks it well (what <c>dendrite plot descent</c> uses when no rate is given).
/// </summary>
public sealed record LossSurface
{
    private readonly Func<double, double, double> _value;
    private readonly Func<double, double, (double, double)> _gradient;

    /// <summary>A surface from its value and gradient.</summary>
    /// <param name="name">What pictures call it.</param>
    /// <param name="value">L(x, y).</param>
    /// <param name="gradient">(dL/dx, dL/dy).</param>
    /// <param name="start">Where descent starts.</param>
    /// <param name="minimum">Where the loss is lowest (marked in pictures).</param>
    /// <param name="x">The x window to draw, (low, high).</param>
    /// <param name="y">The y window to draw, (low, high).</param>
    /// <param name="rates">A good learning rate per optimizer name (<see cref="OptimizerCatalog.Names"/>).</param>
    public LossSurface(string name, Func<double, double, double> value, Func<double, double, (double, double)> gradient,
        (double X, double Y) start, (double X, double Y) minimum, (double Low, double High) x, (double Low, double High) y,
        IReadOnlyDictionary<string, float> rates)
    {
        Name = name;
        _value = value;
        _gradient = gradient;
        Start = start;
        Minimum = minimum;
        X = x;
        Y = y;
        Rates = rates;
    }

    /// <summary>The surface's name: bowl, valley, rosenbrock, or the model's description.</summary>
    public string Name { get; }

    /// <summary>Where descent starts.</summary>
    public (double X, double Y) Start { get; init; }

    /// <summary>Where the loss is lowest.</summary>
    public (double X, double Y) Minimum { get; }

    /// <summary>The x window pictures draw.</summary>
    public (double Low, double High) X { get; }

    /// <summary>The y window pictures draw.</summary>
    public (double Low, double High) Y { get; }

    /// <summary>A learning rate per optimizer name that walks this surface well.</summary>
    public IReadOnlyDictionary<string, float> Rates { get; }

    /// <summary>A plain-descent (sgd) rate at which this surface's walk diverges: the "too large" of the learning-rate picture.</summary>
    public float DivergingRate { get; init; }

    /// <summary>Steps that show the walks well: enough for the good ones to arrive.</summary>
    public int Steps { get; init; } = 60;

    /// <summary>Axis names: "x", "y" for the analytic surfaces, the two parameters' names for a model.</summary>
    public (string X, string Y) AxisNames { get; init; } = ("x", "y");

    /// <summary>L(x, y).</summary>
    public double Value(double x, double y) => _value(x, y);

    /// <summary>(dL/dx, dL/dy).</summary>
    public (double X, double Y) Gradient(double x, double y) => _gradient(x, y);

    /// <summary>The rate for <paramref name="optimizer"/> from <see cref="Rates"/>, or the optimizer's own default.</summary>
    public float? RateFor(string optimizer) => Rates.TryGetValue(optimizer, out var r) ? r : null;

    /// <summary>The analytic surfaces by name: bowl, valley, rosenbrock (a model surface needs data: <see cref="ForModel"/>).</summary>
    public static IReadOnlyList<string> Names { get; } = ["bowl", "valley", "rosenbrock"];

    /// <summary>One of <see cref="Names"/>.</summary>
    /// <exception cref="ArgumentException">Another name.</exception>
    public static LossSurface Named(string name) => name switch
    {
        "bowl" => Bowl,
        "valley" => Valley,
        "rosenbrock" => Rosenbrock,
        _ => throw new ArgumentException($"'{name}' is not one of {string.Join(", ", Names)}, model"),
    };

    /// <summary>L = (x^2 + y^2) / 2: the gradient points straight at the minimum from everywhere; sgd's step scales x by (1 - lr).</summary>
    public static LossSurface Bowl { get; } = new("bowl", (x, y) => (x * x + y * y) / 2, (x, y) => (x, y),
        (-4, 3), (0, 0), (-5, 5), (-4, 4), new Dictionary<string, float> { ["sgd"] = 0.1f, ["momentum"] = 0.05f, ["nesterov"] = 0.05f, ["adam"] = 0.3f, ["adamw"] = 0.3f, ["rmsprop"] = 0.1f })
    {
        DivergingRate = 2.1f,
        Steps = 40,
    };

    /// <summary>
    /// L = (x^2 + 50 y^2) / 2: 50 times as steep across (y) as along (x). Plain descent must keep lr below 2/50 to stay stable
    /// across, so it zigzags across and crawls along; momentum builds up speed along the valley floor.
    /// </summary>
    public static LossSurface Valley { get; } = new("valley", (x, y) => (x * x + 50 * y * y) / 2, (x, y) => (x, 50 * y),
        (-4.5, 1.5), (0, 0), (-5, 5), (-2, 2), new Dictionary<string, float> { ["sgd"] = 0.035f, ["momentum"] = 0.01f, ["nesterov"] = 0.01f, ["adam"] = 0.1f, ["adamw"] = 0.1f, ["rmsprop"] = 0.03f })
    {
        DivergingRate = 0.041f,
        Steps = 60,
    };

    /// <summary>
    /// Rosenbrock's banana, L = (1 - x)^2 + 100 (y - x^2)^2, minimum 0 at (1, 1): finding the valley is easy, following its
    /// curved floor is not.
    /// </summary>
    public static LossSurface Rosenbrock { get; } = new("rosenbrock",
        (x, y) => (1 - x) * (1 - x) + 100 * (y - x * x) * (y - x * x),
        (x, y) => (-2 * (1 - x) - 400 * x * (y - x * x), 200 * (y - x * x)),
        (-1.2, 1.0), (1, 1), (-2, 2), (-1, 3), new Dictionary<string, float> { ["sgd"] = 0.001f, ["momentum"] = 0.0003f, ["nesterov"] = 0.0003f, ["adam"] = 0.05f, ["adamw"] = 0.05f, ["rmsprop"] = 0.01f })
    {
        DivergingRate = 0.01f,
        Steps = 1500,
    };

    /// <summary>
    /// The loss of a built network with exactly two learnable values (e.g. <c>dense(1),sigmoid</c> on one input: a weight
    /// and a bias) on a whole data set, as a surface over those two values: each evaluation writes (x, y) into the
    /// parameters and runs the network's own forward pass, loss and backward pass. The network's current values are the
    /// start.
    /// </summary>
    /// <exception cref="ArgumentException">The network does not have exactly two learnable values.</exception>
    public static LossSurface ForModel(string name, Sequential net, Loss loss, Dataset data, (double Low, double High) x, (double Low, double High) y,
        (double X, double Y) minimum, IReadOnlyDictionary<string, float> rates)
    {
        var parameters = net.NamedParameters.ToList();
        int values = parameters.Sum(p => p.Parameter.Length);
        if (values != 2)
            throw new ArgumentException($"a model surface needs a network with exactly two learnable values; {net.Spec} has {values}");
        var slots = parameters.SelectMany(p => Enumerable.Range(0, p.Parameter.Length).Select(i => (p.Parameter, i, Name: p.Parameter.Length == 1 ? p.Name : $"{p.Name}[{i}]"))).ToArray();
        var inputs = new Tensor(data.Features, [data.Count, .. data.SampleShape]);
        var targets = new Tensor(data.Count, data.OutputSize);
        for (int i = 0; i < data.Count; i++) data.WriteTarget(i, targets.Sample(i));
        var grad = new Tensor(0, 0);
        var start = ((double)slots[0].Parameter.Value.Span[slots[0].i], (double)slots[1].Parameter.Value.Span[slots[1].i]);
        var gate = new Lock();
        double Evaluate(double a, double b, bool backward, out (double, double) g)
        {
            lock (gate)
            {
                slots[0].Parameter.Value.Span[slots[0].i] = (float)a;
                slots[1].Parameter.Value.Span[slots[1].i] = (float)b;
                var output = net.ForwardForLoss(inputs, loss, training: false);
                grad.Resize(output.Shape);
                double l = loss.Compute(output, targets, backward ? grad : null);
                g = (0, 0);
                if (!backward) return l;
                net.ZeroGrad();
                net.BackwardFromLoss(grad, loss);
                g = (slots[0].Parameter.Grad.Span[slots[0].i], slots[1].Parameter.Grad.Span[slots[1].i]);
                return l;
            }
        }
        return new LossSurface(name, (a, b) => Evaluate(a, b, false, out _), (a, b) => { Evaluate(a, b, true, out var g); return g; },
            start, minimum, x, y, rates) { AxisNames = (slots[0].Name, slots[1].Name) };
    }

    /// <summary>
    /// A real two-weight model on real images: a logistic unit p = sigmoid(w m + b) telling class
    /// <paramref name="positive"/> from class <paramref name="negative"/> of <paramref name="images"/> by m, each image's
    /// mean brightness (standardised over the two classes), trained with binary cross-entropy (<c>dense(1),sigmoid</c>,
    /// the library's layers and loss). The minimum is found by a long Adam walk; the start lies across the valley from it.
    /// </summary>
    /// <exception cref="ArgumentException">The data set has fewer than two samples of either class.</exception>
    public static LossSurface ForBrightness(Dataset images, int positive, int negative)
    {
        var rows = Enumerable.Range(0, images.Count).Where(i => images.Labels[i] == positive || images.Labels[i] == negative).ToList();
        if (rows.Count(i => images.Labels[i] == positive) < 2 || rows.Count(i => images.Labels[i] == negative) < 2)
            throw new ArgumentException($"the data set needs at least two images of class {positive} and of class {negative}");
        var m = rows.Select(i => (double)System.Numerics.Tensors.TensorPrimitives.Sum(images.Sample(i)) / images.SampleSize).ToArray();
        double mean = m.Average(), std = Math.Sqrt(m.Select(v => (v - mean) * (v - mean)).Average());
        var features = m.Select(v => (float)((v - mean) / std)).ToArray();
        var targets = rows.Select(i => images.Labels[i] == positive ? 1f : 0f).ToArray();
        var data = new Dataset(features, [1], targets, 1);
        var net = new Sequential(new Dense(1), new Sigmoid()).Build([1], seed: 1);
        string Name(int c) => images.ClassNames is { } names && c < names.Length ? names[c].ToLowerInvariant() : $"class {c}";
        var rates = new Dictionary<string, float> { ["sgd"] = 2f, ["momentum"] = 0.5f, ["nesterov"] = 0.5f, ["adam"] = 0.3f, ["adamw"] = 0.3f, ["rmsprop"] = 0.1f };
        var probe = ForModel("probe", net, new BinaryCrossEntropy(), data, (-10, 10), (-10, 10), (0, 0), rates);
        var best = DescentPath.Walk(probe with { Start = (0, 0) }, "adam", 0.05f, 3000).Points[^1];
        double span = Math.Max(4, 1.6 * Math.Max(Math.Abs(best.X), Math.Abs(best.Y)));
        return ForModel($"{Name(positive)} or {Name(negative)} by brightness", net, new BinaryCrossEntropy(), data,
            (best.X - span, best.X + span), (best.Y - span, best.Y + span), best, rates) with
        {
            Start = (best.X + 0.8 * span * (best.X > 0 ? -1 : 1), best.Y + 0.7 * span),
            DivergingRate = 30f,
            AxisNames = ("weight w", "bias b"),
            Steps = 80,
        };
    }
}

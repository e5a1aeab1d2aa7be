namespace Dendrite;

/// <summary>
/// Backprop checked against central differences, (L(w + h) - L(w - h)) / 2h, at random positions of every
/// parameter tensor and of the input. The engine computes in float32, so h is 1e-2 by default and the
/// loss is summed in double; the error of one entry is |analytic - numeric| / max(|analytic|, |numeric|, floor),
/// where the floor is the larger of <c>floor</c> (1e-3 by default) and 1% of the tensor's largest gradient.
/// Positions whose step straddles a kink are skipped.
/// </summary>
public static class GradientCheck
{
    /// <summary>The worst error found in one tensor.</summary>
    public sealed record Result(string Layer, string Tensor, double MaxRelativeError, double Analytic, double Numeric, int Checked);

    /// <summary>
    /// Checks a whole network on one batch in parts whose product is backprop's chain rule: the loss's gradient
    /// with respect to the network's output (logits when softmax is fused), then each layer alone on the input it
    /// sees in the network (<see cref="CheckLayer"/>: its parameter tensors and its dL/dx under a projection loss
    /// L = sum_i r_i y_i with a fixed random r). If every layer's backward is the true vector-Jacobian product of
    /// its forward, Sequential's backward is the network's gradient. The projection keeps dL/dy of order one, so
    /// float32 rounding stays far below the differences measured. Checking layer by layer rather than end to end
    /// keeps kinks rare: in the cnn preset one first-layer weight moves ~1,500 ReLU inputs, and a step of 1e-2
    /// crossed 5-10 of their kinks on both sides, which bent the central difference by 10-30% without the
    /// one-sided slopes disagreeing (measured), whereas alone a layer's step crosses at most its own few kinks.
    /// Layers run in training mode; layers with randomness (dropout, <see cref="IStochastic"/>) are frozen, so each keeps one mask.
    /// </summary>
    public static List<Result> CheckNetwork(Sequential net, Loss loss, Tensor x, Tensor target, Rng rng,
        int positionsPerTensor = 20, float h = 1e-2f, double floor = 1e-3)
    {
        using var frozen = new Freeze(net.Layers);
        int layers = loss.LayersBefore(net.Layers);
        bool inputGradient = net.InputGradient;
        net.InputGradient = true; // every layer's dL/dx is checked, the first learnable one's too
        List<Result> results;
        try
        {
            var inputs = new Tensor[layers];
            var t = x;
            for (int i = 0; i < layers; i++)
            {
                inputs[i] = t.Clone(); // checking layer i - 1 rewrites its output buffer, so each layer gets a copy
                t = net.Layers[i].Forward(t, training: true);
            }
            results = new List<Result> { CheckLoss(loss, t.Clone(), target, rng, positionsPerTensor, h, floor) };
            for (int i = 0; i < layers; i++)
                results.AddRange(CheckTree(net.Layers[i], inputs[i], rng, positionsPerTensor, h, floor));
        }
        finally
        {
            net.InputGradient = inputGradient;
        }
        return results;
    }

    /// <summary>Checks a loss's gradient with respect to its prediction.</summary>
    public static Result CheckLoss(Loss loss, Tensor prediction, Tensor target, Rng rng, int positions = 20, float h = 1e-3f, double floor = 1e-3)
    {
        var grad = new Tensor(prediction.Shape.ToArray());
        loss.Compute(prediction, target, grad);
        return Compare($"loss {loss.Name}", "dL/dprediction", prediction.Length, grad.Span.ToArray(), prediction,
            () => loss.Compute(prediction, target, null), rng, positions, h, floor);
    }

    /// <summary>
    /// A block layer by layer, as the network: each layer inside on the input it sees there (its parameters and dL/dx),
    /// then the block's own dL/dx as a whole (in evaluation mode, activations inside linearised at x), which checks how
    /// it combines its parts (y = f(x) + x: the shortcut's gradient). Parameters are checked in the innermost layer that owns them, where no kink of a later layer lies
    /// between the step and the loss (a convolution's bias before batch norm has a zero gradient inside the block).
    /// </summary>
    private static List<Result> CheckTree(Layer layer, Tensor x, Rng rng, int positionsPerTensor, float h, double floor)
    {
        var children = layer.ChildInputs(x);
        if (children.Count == 0) return CheckLayer(layer, x, rng, positionsPerTensor, h, floor);
        var results = children.SelectMany(c => CheckTree(c.Child, c.Input, rng, positionsPerTensor, h, floor)).ToList();
        // A sequential block only chains its layers, which are checked above. The combination is checked in evaluation
        // mode with the activations inside replaced by their tangents at x: batch norm is then a fixed affine map and the
        // block is smooth, so the finite differences cross no kink (checked as it is, the resnet preset's blocks crossed
        // ReLU kinks on both sides of a step and bent the difference by 8-12%, measured); its Jacobian at x is unchanged.
        // Being (nearly) linear, it takes a 10x larger step: Winograd's float32 rounding (1e-5 of the output, not smooth
        // in x) divided by a 2e-2 step bent the difference by up to 23% in the resnet's 128-channel block (measured).
        if (layer is Sequential) return results;
        var inside = layer.Walk().Skip(1).OfType<Activation>().ToList();
        foreach (var a in inside) a.Linearized = true;
        try
        {
            results.AddRange(Check(layer, x, rng, positionsPerTensor, 10 * h, floor, parameters: false, training: false));
        }
        finally
        {
            foreach (var a in inside) a.Linearized = false;
        }
        return results;
    }

    /// <summary>
    /// Checks one built layer alone, with the loss L = sum_i r_i y_i for a fixed random r (so dL/dy = r).
    /// </summary>
    public static List<Result> CheckLayer(Layer layer, Tensor x, Rng rng, int positionsPerTensor = 30, float h = 1e-2f, double floor = 1e-3) =>
        Check(layer, x, rng, positionsPerTensor, h, floor, parameters: true);

    private static List<Result> Check(Layer layer, Tensor x, Rng rng, int positionsPerTensor, float h, double floor,
        bool parameters, bool training = true)
    {
        using var frozen = new Freeze([layer]);
        bool needed = layer.NeedsInputGradient;
        layer.NeedsInputGradient = true; // dL/dx is checked too
        try
        {
            var y0 = layer.Forward(x, training);
            var r = new Tensor(y0.Shape.ToArray());
            rng.Uniform(r.Span, -1f, 1f);
            double Loss() => Dot(layer.Forward(x, training).Span, r.Span);

            Optimizer.ZeroGrad(layer.Parameters);
            layer.Forward(x, training);
            var dx = layer.Backward(r).Span.ToArray();
            var results = new List<Result>();
            foreach (var (name, p) in parameters ? layer.NamedParameters : [])
                results.Add(Compare(layer.Label, name, p.Length, p.Grad.Span.ToArray(), p.Value, Loss, rng, positionsPerTensor, h, floor));
            results.Add(Compare(layer.Label, "dL/dx", x.Length, dx, x, Loss, rng, positionsPerTensor, h, floor));
            return results;
        }
        finally
        {
            layer.NeedsInputGradient = needed;
        }
    }

    /// <summary>Freezes every stochastic layer's mask until disposed, then restores each layer's setting.</summary>
    private readonly struct Freeze : IDisposable
    {
        private readonly (IStochastic Layer, bool Was)[] _layers;

        public Freeze(IEnumerable<Layer> layers)
        {
            _layers = [.. layers.SelectMany(l => l.Walk()).OfType<IStochastic>().Select(l => (l, l.Frozen))];
            foreach (var (l, _) in _layers) l.Frozen = true;
        }

        public void Dispose()
        {
            foreach (var (l, was) in _layers) l.Frozen = was;
        }
    }

    private static double Dot(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        double s = 0;
        for (int i = 0; i < a.Length; i++) s += (double)a[i] * b[i];
        return s;
    }

    private static Result Compare(string layer, string name, int length, float[] analytic, Tensor values,
        Func<double> loss, Rng rng, int positions, float h, double floor)
    {
        // Entries far smaller than the tensor's largest drown in float32 rounding: judge them on the tensor's scale.
        double scale = 0;
        foreach (float a in analytic) scale = Math.Max(scale, Math.Abs(a));
        double denominatorFloor = Math.Max(floor, RelativeFloor * scale);
        double worst = 0, worstA = 0, worstN = 0;
        int count = Math.Min(positions, length), checkedCount = 0;
        var v = values.Span;
        double f0 = loss();
        for (int c = 0, attempts = 0; c < count && attempts < 4 * count; attempts++)
        {
            int i = count == length ? attempts : rng.NextInt(length);
            if (i >= length) break;
            float saved = v[i];
            float up = saved + h, down = saved - h;
            v[i] = up;
            double plus = loss();
            v[i] = down;
            double minus = loss();
            v[i] = saved;
            // A step that straddles a kink (ReLU at 0, max-pool ties) gives one-sided slopes that disagree: skip it.
            double right = (plus - f0) / ((double)up - saved), left = (f0 - minus) / ((double)saved - down);
            if (Math.Abs(right - left) > KinkRatio * (Math.Abs(right) + Math.Abs(left)) + denominatorFloor * 0.1) continue;
            c++;
            checkedCount++;
            // Divide by the step float32 really took, not by 2h.
            double numeric = (plus - minus) / ((double)up - down);
            double a = analytic[i];
            double err = Math.Abs(a - numeric) / Math.Max(Math.Max(Math.Abs(a), Math.Abs(numeric)), denominatorFloor);
            if (err >= worst)
            {
                worst = err;
                worstA = a;
                worstN = numeric;
            }
        }
        loss();
        return new Result(layer, name, worst, worstA, worstN, checkedCount);
    }

    /// <summary>Denominator floor as a fraction of the tensor's largest gradient.</summary>
    private const double RelativeFloor = 1e-2;

    /// <summary>How much the two one-sided slopes may differ, relative to their size, before the step counts as crossing a kink.</summary>
    private const double KinkRatio = 0.01;
}

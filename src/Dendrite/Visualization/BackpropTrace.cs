using System.Globalization;
using System.Numerics.Tensors;
using System.Text;

namespace Dendrite.Visualization;

/// <summary>
/// One sample through the network and back, layer by layer, as the lecture's backprop slides draw it: each layer's
/// output (shape, first values, norm), the loss, then, from the last layer down, the gradient each layer receives
/// (dL/dy), the gradient it passes on (dL/dx) and the norm of each parameter gradient. A deep sigmoid network shows the
/// gradient shrinking layer after layer (sigmoid' is at most 1/4); a ReLU network does not.
/// </summary>
public sealed class BackpropTrace
{
    /// <summary>How many leading values of each tensor the trace keeps and prints.</summary>
    public const int Shown = 4;

    /// <summary>One tensor as the trace shows it: shape, the first few values, the L2 norm.</summary>
    /// <param name="Shape">The shape of one sample, without the batch dimension.</param>
    /// <param name="Head">The first <see cref="Shown"/> values (fewer when the tensor is smaller).</param>
    /// <param name="Norm">The L2 norm of all the values, summed in double (finite for any finite floats).</param>
    /// <param name="NonFinite">How many values are NaN or infinite.</param>
    /// <param name="MaxAbs">The largest finite |value|.</param>
    public sealed record Values(int[] Shape, float[] Head, double Norm, int NonFinite = 0, double MaxAbs = 0)
    {
        /// <summary>Summarises <paramref name="t"/>, a batch of one sample (with more, the head is the first sample's and the norm covers all).</summary>
        public static Values Of(Tensor t) => Of(t.SampleShape, t.Span);

        /// <summary>Summarises values of the given shape.</summary>
        public static Values Of(int[] shape, ReadOnlySpan<float> s)
        {
            double sum = 0, max = 0;
            int bad = 0;
            foreach (float v in s)
            {
                if (!float.IsFinite(v))
                {
                    bad++;
                    continue;
                }
                sum += (double)v * v;
                max = Math.Max(max, Math.Abs(v));
            }
            return new Values(shape, s[..Math.Min(Shown, s.Length)].ToArray(), bad > 0 ? double.NaN : Math.Sqrt(sum), bad, max);
        }
    }

    /// <summary>One step of the forward pass: a layer and its output y.</summary>
    /// <param name="Layer">A layer of the network, in order.</param>
    /// <param name="Output">What it produced, y = layer(x), in evaluation mode.</param>
    public sealed record Forward(Layer Layer, Values Output);

    /// <summary>One parameter after the backward pass: the L2 norms of its value and of its gradient dL/dθ.</summary>
    /// <param name="Name">The parameter's name within its layer ("weight", "bias", ...).</param>
    /// <param name="Shape">The parameter's shape.</param>
    /// <param name="ValueNorm">|θ|.</param>
    /// <param name="GradNorm">|dL/dθ| for this one sample.</param>
    public sealed record ParameterGradient(string Name, int[] Shape, double ValueNorm, double GradNorm);

    /// <summary>One step of the backward pass.</summary>
    /// <param name="Layer">The layer differentiated.</param>
    /// <param name="Incoming">dL/dy, the gradient it received from the layer above (or from the loss).</param>
    /// <param name="Outgoing">dL/dx, the gradient it passed down; null when the layer returned none.</param>
    /// <param name="Parameters">Its parameters' gradients, in the layer's order; empty for a layer without parameters.</param>
    public sealed record Backward(Layer Layer, Values Incoming, Values? Outgoing, IReadOnlyList<ParameterGradient> Parameters);

    private BackpropTrace(Values input, IReadOnlyList<Forward> forward, float[] probabilities, int label, double loss,
        string lossName, bool fused, IReadOnlyList<Backward> backward, string? nonFiniteCause)
    {
        NonFiniteCause = nonFiniteCause;
        Input = input;
        ForwardPass = forward;
        Probabilities = probabilities;
        Label = label;
        Loss = loss;
        LossName = lossName;
        Fused = fused;
        BackwardPass = backward;
    }

    /// <summary>The sample as the network received it.</summary>
    public Values Input { get; }

    /// <summary>Every top-level layer's output, first layer first.</summary>
    public IReadOnlyList<Forward> ForwardPass { get; }

    /// <summary>
    /// Class probabilities: the network's output when its last layer is <see cref="Softmax"/>, else the softmax of
    /// that output.
    /// </summary>
    public float[] Probabilities { get; }

    /// <summary>The true class the loss was computed against.</summary>
    public int Label { get; }

    /// <summary>The most probable class (the first one on ties).</summary>
    public int Predicted => Kernels.Elementwise.ArgMax(Probabilities);

    /// <summary>
    /// The loss against the one-hot label: on the logits when <see cref="Fused"/>, else on the network's output.
    /// </summary>
    public double Loss { get; }

    /// <summary>The loss's name, as the command line spells it.</summary>
    public string LossName { get; }

    /// <summary>True when the final softmax and cross-entropy were differentiated together: dL/dz = p - y.</summary>
    public bool Fused { get; }
    /// <summary>From the last layer that was differentiated down to the first.</summary>
    public IReadOnlyList<Backward> BackwardPass { get; }

    /// <summary>
    /// Where the first NaN or infinity came from, in words, or null when every value is finite: the input, a layer whose
    /// weights hold them (a run that diverged wrote them), a layer whose output overflowed from finite inputs and weights,
    /// the loss, or a layer of the backward pass whose dL/dx overflowed.
    /// </summary>
    public string? NonFiniteCause { get; }

    /// <summary>
    /// Traces sample <paramref name="sample"/> with class <paramref name="label"/>: a forward pass in evaluation mode,
    /// the loss, then a backward pass with input gradients switched on for every layer. Parameter gradients are left
    /// zeroed and the network's <see cref="Sequential.InputGradient"/> setting is restored.
    /// </summary>
    /// <param name="net">A built classifier with output [N, K].</param>
    /// <param name="loss">The loss to differentiate; <see cref="SoftmaxCrossEntropy"/> on a network ending in <see cref="Softmax"/> makes the trace <see cref="Fused"/>.</param>
    /// <param name="sample">One sample's values, laid out as the network's input shape.</param>
    /// <param name="label">The true class, 0 to K - 1.</param>
    /// <exception cref="ShapeException">The network's output is not a vector of class scores.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="label"/> is outside 0 to K - 1.</exception>
    public static BackpropTrace Run(Sequential net, Loss loss, ReadOnlySpan<float> sample, int label)
    {
        if (net.OutputShape.Length != 1) throw new ShapeException($"explain needs a classifier with output [N, K], the model gives {Tensor.Format(net.OutputShape)}");
        int classes = net.OutputShape[0];
        if (label < 0 || label >= classes) throw new ArgumentOutOfRangeException(nameof(label), $"label {label} is outside 0..{classes - 1}");
        var x = new Tensor(sample.ToArray(), [1, .. net.InputShape]);
        var input = Values.Of(x);
        var layers = net.Layers;
        bool fused = loss.LayersBefore(layers) < layers.Count;
        var forward = new List<Forward>();
        Tensor? logits = null;
        for (int i = 0; i < layers.Count; i++)
        {
            if (fused && i == layers.Count - 1) logits = x;
            x = layers[i].Forward(x, training: false);
            forward.Add(new Forward(layers[i], Values.Of(x)));
        }
        var probabilities = x.Span.ToArray();
        if (layers[^1] is not Softmax) Kernels.Elementwise.SoftmaxRows(x.Span, probabilities, 1);
        var target = new Tensor(1, classes);
        target.Span[label] = 1f;
        var scored = fused ? logits! : x;
        var grad = new Tensor(scored.Shape.ToArray());
        double value = loss.Compute(scored, target, grad);

        bool keep = net.InputGradient;
        net.InputGradient = true;
        net.ZeroGrad();
        var backward = new List<Backward>();
        try
        {
            var dy = grad;
            for (int i = fused ? layers.Count - 2 : layers.Count - 1; i >= 0; i--)
            {
                var incoming = Values.Of(dy);
                dy = layers[i].Backward(dy);
                var ps = layers[i].Parameters.Select(p => new ParameterGradient(p.Name, p.Value.Shape.ToArray(),
                    TensorPrimitives.Norm(p.Value.Span), TensorPrimitives.Norm(p.Grad.Span))).ToList();
                backward.Add(new Backward(layers[i], incoming, dy.Length > 0 ? Values.Of(dy) : null, ps));
            }
        }
        finally
        {
            net.ZeroGrad();
            net.InputGradient = keep;
        }
        return new BackpropTrace(input, forward, probabilities, label, value, loss.Name, fused, backward, Cause(input, forward, value, backward));
    }

    // The first place, in the order values were computed, where a NaN or an infinity appears.
    private static string? Cause(Values input, IReadOnlyList<Forward> forward, double loss, IReadOnlyList<Backward> backward)
    {
        if (input.NonFinite > 0) return $"the input holds {input.NonFinite} NaN or infinite values";
        var previous = input;
        foreach (var f in forward)
        {
            if (f.Output.NonFinite > 0)
            {
                var bad = f.Layer.NamedParameters.Select(p => (p.Name, Values: Values.Of(p.Parameter.Value.Shape.ToArray(), p.Parameter.Value.Span)))
                    .Where(p => p.Values.NonFinite > 0).ToList();
                if (bad.Count > 0)
                    return $"{f.Layer.Label}: its {bad[0].Name} holds {bad[0].Values.NonFinite:N0} NaN or infinite values " +
                           "(written by a training run that diverged: retrain with a smaller --lr)";
                double weights = f.Layer.NamedParameters.Select(p => Values.Of(p.Parameter.Value.Shape.ToArray(), p.Parameter.Value.Span).MaxAbs).DefaultIfEmpty(0).Max();
                return $"{f.Layer.Label}: its output overflowed ({f.Output.NonFinite:N0} values past float's ±3.4e38 or NaN) from finite " +
                       $"inputs (largest |x| {G(previous.MaxAbs)}){(weights > 0 ? $" and weights (largest |w| {G(weights)})" : "")}: " +
                       "the activations grew layer by layer (weights too large: a diverging learning rate, or no normalisation)";
            }
            previous = f.Output;
        }
        if (!double.IsFinite(loss)) return $"the loss is {loss} on finite outputs (a probability of exactly 0 for the label)";
        foreach (var b in backward)
            if (b.Outgoing is { NonFinite: > 0 } o)
                return $"{b.Layer.Label}: dL/dx overflowed in the backward pass ({o.NonFinite:N0} values) from |dL/dy| {G(b.Incoming.Norm)}";
        return null;
    }

    /// <summary>The chain-rule step each kind of layer takes, as its class's opening comment writes it.</summary>
    public static string Rule(Layer layer) => layer switch
    {
        Dense => "dL/dx = dL/dy W,  dL/dW += dL/dyᵀ x,  dL/db += dL/dy",
        Activation a => $"dL/dx = {a.Name}'(x) * dL/dy",
        Flatten => "dL/dx = dL/dy reshaped",
        Softmax => "dL/dx_i = y_i (dL/dy_i - sum_j dL/dy_j y_j)",
        Conv2d => "dL/dx = col2im(Wᵀ dL/dy),  dL/dW += dL/dy colᵀ,  dL/db += sum of dL/dy",
        MaxPool2d => "dL/dx = dL/dy at the input that was each window's max, 0 elsewhere",
        AvgPool2d => "dL/dx = dL/dy / (pixels in the window) for each input under it",
        GlobalAvgPool2d => "dL/dx = dL/dy / (H W) everywhere",
        BatchNorm => "evaluation mode, a fixed affine map: dL/dx = γ / sqrt(σ² + ε) dL/dy",
        Dropout => "evaluation mode, y = x: dL/dx = dL/dy",
        Residual { Projection: null } => "y = f(x) + x: dL/dx = f's backward of dL/dy + dL/dy (the shortcut carries it unchanged)",
        Residual => "y = f(x) + P(x): dL/dx = f's backward of dL/dy + P's backward of dL/dy (P: the 1x1 projection)",
        Concat => "y = [f1(x); f2(x); ...]: dL/dx = sum over branches of each branch's backward of its slice of dL/dy",
        Sequential => "the chain rule through the block's layers, last to first",
        _ => "",
    };

    /// <summary>
    /// The trace as a plain-text report: a forward table (layer, output shape, |y|, first values), the probabilities,
    /// prediction and loss, a backward table (|dL/dy|, |dL/dx|, first values of dL/dx, each layer's <see cref="Rule"/>
    /// and parameter gradient norms), and, with two or more parameters named "weight" (batch norm's γ among them),
    /// the gradient norm of the lowest one over the highest one's, flagged as vanishing below 0.01.
    /// </summary>
    /// <param name="classNames">Names printed after class numbers; classes beyond the list print as numbers only.</param>
    public string ToText(IReadOnlyList<string>? classNames = null)
    {
        string Name(int c) => classNames is not null && c < classNames.Count ? $"{c} {classNames[c]}" : c.ToString();
        int width = Math.Max(12, ForwardPass.Max(f => f.Layer.Spec.Length) + 2);
        var sb = new StringBuilder();
        sb.AppendLine("forward pass (evaluation mode): y = layer(x), one layer at a time");
        sb.AppendLine($"  {"#",3}  {"layer".PadRight(width)}{"output",-16}{"|y|",10}   first values");
        sb.AppendLine($"  {"",3}  {"input".PadRight(width)}{Tensor.Format(Input.Shape),-16}{G(Input.Norm),10}   {Head(Input)}");
        foreach (var f in ForwardPass)
            sb.AppendLine($"  {f.Layer.Position,3}  {f.Layer.Spec.PadRight(width)}{Tensor.Format(f.Output.Shape),-16}{G(f.Output.Norm),10}   {Head(f.Output)}");
        sb.AppendLine();
        sb.AppendLine($"  probabilities: {string.Join(" ", Probabilities.Select(p => p.ToString("F3", CultureInfo.InvariantCulture)))}");
        sb.AppendLine($"  predicted {Name(Predicted)} (p = {Probabilities[Predicted]:F4}), label {Name(Label)} (p = {Probabilities[Label]:F4})");
        sb.AppendLine(Fused
            ? $"  loss {LossName} = -log p[label] = {G(Loss)}"
            : $"  loss {LossName} = {G(Loss)}");
        sb.AppendLine();
        sb.AppendLine("backward pass (chain rule, last layer first): each layer gets dL/dy and passes on dL/dx");
        if (Fused)
            sb.AppendLine($"  softmax and cross-entropy together: dL/dz = p - onehot(label) on the logits z (layer {ForwardPass[^1].Layer.Position} is skipped)");
        sb.AppendLine($"  {"#",3}  {"layer".PadRight(width)}{"|dL/dy|",10}{"|dL/dx|",10}   first values of dL/dx; parameter gradients");
        foreach (var b in BackwardPass)
        {
            string outgoing = b.Outgoing is null ? "" : G(b.Outgoing.Norm);
            sb.AppendLine($"  {b.Layer.Position,3}  {b.Layer.Spec.PadRight(width)}{G(b.Incoming.Norm),10}{outgoing,10}   {(b.Outgoing is null ? "" : Head(b.Outgoing))}");
            var rule = Rule(b.Layer);
            if (rule.Length > 0) sb.AppendLine($"  {"",3}  {"".PadRight(width)}{rule}");
            foreach (var p in b.Parameters)
                sb.AppendLine($"  {"",3}  {"".PadRight(width)}{p.Name} {Tensor.Format(p.Shape)}: |grad| {G(p.GradNorm)}  (|value| {G(p.ValueNorm)})");
        }
        if (NonFiniteCause is { } cause)
        {
            sb.AppendLine();
            sb.AppendLine($"  not finite: {cause}");
        }
        var weights = BackwardPass.SelectMany(b => b.Parameters.Where(p => p.Name == "weight").Select(p => (b.Layer, p))).ToList();
        if (weights.Count >= 2)
        {
            var (topLayer, top) = weights[0];
            var (bottomLayer, bottom) = weights[^1];
            double ratio = bottom.GradNorm / top.GradNorm;
            sb.AppendLine();
            if (top.GradNorm == 0)
                sb.AppendLine($"  weight gradient of {topLayer.Label} is 0: its inputs are all 0 for this sample (dead units below it?), so no gradient flows down");
            else
                sb.AppendLine($"  weight gradient of {bottomLayer.Label} / of {topLayer.Label}: {G(ratio)}" +
                              (ratio < 1e-2 ? "  (vanishing: the first layers barely learn)" : ""));
        }
        return sb.ToString();
    }

    private static string Head(Values v) =>
        string.Join(" ", v.Head.Select(G)) + (Tensor.Volume(v.Shape) > v.Head.Length ? " ..." : "");

    // v + 0.0 turns -0 into +0, so a ReLU's zeroed gradient prints as 0.0000, not -0.0000.
    private static string G(double v) => (v + 0.0).ToString(Math.Abs(v) is > 0 and (< 1e-3 or >= 1e4) ? "0.00e+0" : "0.0000", CultureInfo.InvariantCulture);

    private static string G(float v) => G((double)v);
}

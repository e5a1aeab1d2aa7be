using System.Globalization;
using System.Numerics.Tensors;

namespace Dendrite;

/// <summary>
/// Batch normalisation per channel (a dense layer's feature, or a conv map's channel over N, H and W):
/// x̂ = (x - μ) / sqrt(σ² + ε), y = γ x̂ + β; dL/dγ = Σ dy x̂, dL/dβ = Σ dy,
/// dL/dx = γ / (M sqrt(σ² + ε)) (M dy - Σ dy - x̂ Σ dy x̂) over the M values of the channel.
/// Training uses the batch's μ and biased σ² and updates running averages (momentum 0.1, the unbiased σ² as
/// PyTorch does); evaluation uses the running averages, so the layer becomes a fixed affine map.
/// </summary>
public sealed class BatchNorm(float momentum = 0.1f, float epsilon = 1e-5f, float initialGamma = 1f) : Layer, ISpecLayer<BatchNorm>
{
    /// <summary><c>batchnorm[(momentum=0.1,eps=1e-5,gamma=1)]</c>, also <c>bn</c>.</summary>
    public static LayerSyntax Syntax { get; } = new("batchnorm", "batchnorm[(momentum=0.1,eps=1e-5,gamma=1)]", 0, "bn");

    /// <summary>Reads momentum, eps and gamma (γ's starting value).</summary>
    public static BatchNorm FromSpec(LayerSpec s)
    {
        float momentum = s.Float(-1, "momentum", 0.1f), eps = s.Float(-1, "eps", 1e-5f), gamma = s.Float(-1, "gamma", 1f);
        if (!(momentum > 0 && momentum <= 1)) throw s.Fail($"momentum must be in (0, 1], got {momentum}");
        if (!(eps > 0)) throw s.Fail($"eps must be positive, got {eps}");
        if (!float.IsFinite(gamma)) throw s.Fail($"gamma must be a finite number, got {gamma}");
        return new BatchNorm(momentum, eps, gamma);
    }

    private Parameter? _gamma, _beta;
    private Tensor _runningMean = new(0), _runningVar = new(0);
    private Tensor? _xhat, _y, _dx;
    private float[] _invStd = [];
    private bool _training;
    private int _n = -1;

    /// <summary>Weight of the newest batch in the running averages, r = (1 - momentum) r + momentum * batch value; in (0, 1], default 0.1.</summary>
    public float Momentum { get; } = momentum > 0 && momentum <= 1 ? momentum
        : throw new ArgumentOutOfRangeException(nameof(momentum), $"batchnorm: momentum must be in (0, 1], got {momentum}");
    /// <summary>ε added to the variance under the square root; positive, default 1e-5.</summary>
    public float Epsilon { get; } = epsilon > 0 ? epsilon : throw new ArgumentOutOfRangeException(nameof(epsilon), $"batchnorm: eps must be positive, got {epsilon}");

    /// <summary>
    /// The value γ starts at, default 1. 0 makes a residual block's last batch norm start its branch at zero, so the
    /// block starts as its shortcut (Goyal et al. 2017; torchvision's <c>zero_init_residual</c>).
    /// </summary>
    public float InitialGamma { get; } = float.IsFinite(initialGamma) ? initialGamma
        : throw new ArgumentOutOfRangeException(nameof(initialGamma), $"batchnorm: gamma must be a finite number, got {initialGamma}");

    /// <summary>C, the first axis of a sample (features for [N, C], channels for [N, C, H, W]). Throws <see cref="InvalidOperationException"/> before the layer is built.</summary>
    public int Channels => InputShape[0];
    /// <summary>Values per channel in one sample: H*W for a conv map, 1 for a dense layer's features.</summary>
    private int Spatial => Tensor.Volume(InputShape) / InputShape[0];

    /// <summary>γ [C], saved as <c>weight</c>; starts at <see cref="InitialGamma"/>, exempt from weight decay. Throws <see cref="InvalidOperationException"/> before the layer is built.</summary>
    public Parameter Gamma => _gamma ?? throw new InvalidOperationException($"{Label}: not built");

    /// <summary>β [C], saved as <c>bias</c>; starts at 0, exempt from weight decay. Throws <see cref="InvalidOperationException"/> before the layer is built.</summary>
    public Parameter Beta => _beta ?? throw new InvalidOperationException($"{Label}: not built");

    /// <summary>Running average of each channel's batch mean, [C]: starts at 0, moved by training forwards, used by evaluation ones. An empty [0] tensor before build.</summary>
    public Tensor RunningMean => _runningMean;

    /// <summary>Running average of each channel's unbiased batch variance, [C]: starts at 1. An empty [0] tensor before build.</summary>
    public Tensor RunningVar => _runningVar;

    /// <summary><c>running_mean</c> and <c>running_var</c>: saved with the model, not trained.</summary>
    public override IReadOnlyList<(string Name, Tensor Value)> Buffers => [("running_mean", _runningMean), ("running_var", _runningVar)];

    /// <summary><c>batchnorm</c>, adding <c>momentum</c>, <c>eps</c> and <c>gamma</c> only where they differ from the defaults.</summary>
    public override string Spec
    {
        get
        {
            var args = new List<string>();
            if (Momentum != 0.1f) args.Add($"momentum={Momentum.ToString(CultureInfo.InvariantCulture)}");
            if (Epsilon != 1e-5f) args.Add($"eps={Epsilon.ToString(CultureInfo.InvariantCulture)}");
            if (InitialGamma != 1f) args.Add($"gamma={InitialGamma.ToString(CultureInfo.InvariantCulture)}");
            return args.Count == 0 ? "batchnorm" : $"batchnorm({string.Join(",", args)})";
        }
    }

    /// <summary>Any shape [C, ...], unchanged; weight (gamma), bias (beta), running_mean and running_var, each [C].</summary>
    public override LayerShape Describe(int[] inputShape)
    {
        int[] c = [inputShape[0]];
        return new((int[])inputShape.Clone(), new NamedShape("weight", c), new NamedShape("bias", c),
            new NamedShape("running_mean", c), new NamedShape("running_var", c));
    }

    /// <summary>ONNX BatchNormalization with the running statistics (inference mode).</summary>
    public override string ToOnnx(OnnxBuilder onnx, string x) =>
        onnx.Add("BatchNormalization", [x, onnx.Weight(Gamma), onnx.Weight(Beta), onnx.Weight("running_mean", RunningMean),
            onnx.Weight("running_var", RunningVar)], OnnxAttribute.Float("epsilon", Epsilon));

    /// <inheritdoc/>
    protected override void OnBuild(int[] inputShape, Rng rng)
    {
        int c = inputShape[0];
        var gamma = new Tensor(c);
        gamma.Span.Fill(InitialGamma);
        _gamma = new Parameter("weight", gamma) { Decays = false };
        _beta = new Parameter("bias", new Tensor(c)) { Decays = false };
        Learns(_gamma, _beta);
        _runningMean = new Tensor(c);
        _runningVar = new Tensor(c);
        _runningVar.Span.Fill(1f);
        _invStd = new float[c];
    }

    /// <summary>
    /// In training, normalises each channel with the batch's mean and biased variance over N (and H, W) and moves the
    /// running averages; otherwise uses the running averages and changes nothing. Throws <see cref="ShapeException"/> when
    /// x is not [N, ...InputShape], or in training when a channel has fewer than 2 values (N x H x W &lt; 2).
    /// </summary>
    public override Tensor Forward(Tensor x, bool training)
    {
        CheckInput(x);
        _n = x[0];
        _training = training;
        int m = _n * Spatial;
        if (training && m < 2)
            throw Error($"training needs more than one value per channel, got input {Tensor.Format(x.Shape)}");
        Tensor.Ensure(ref _xhat, _n, InputShape);
        Tensor.Ensure(ref _y, _n, OutputShape);
        _input = x;
        RunChannels(backward: false);
        _input = null;
        return _y!;
    }

    private Tensor? _input, _gradient;

    // Channels are independent: each is computed whole by one thread, so the split never changes a result. Spread over
    // the engine's threads once a call has enough values (measured: the resnet stem's [64, 32, 28, 28] took 5.7 ms on one
    // thread in three passes per value; one pass fewer and two threads bring it to about a third).
    private void RunChannels(bool backward)
    {
        int c = Channels, chunks = _n * Spatial * c >= 1 << 15 ? Math.Min(c, 4 * Engine.Threads) : 1;
        _job.Layer = this;
        _job.Backward = backward;
        _job.Chunks = chunks;
        Engine.Run(_job, chunks);
    }

    private readonly ChannelJob _job = new();

    private sealed class ChannelJob : Kernels.IParallelJob
    {
        public BatchNorm? Layer;
        public bool Backward;
        public int Chunks;

        public void Execute(int chunk)
        {
            int c = Layer!.Channels;
            for (int ch = chunk * c / Chunks, end = (chunk + 1) * c / Chunks; ch < end; ch++)
                if (Backward) Layer.BackwardChannel(ch);
                else Layer.ForwardChannel(ch);
        }
    }

    private void ForwardChannel(int ch)
    {
        int c = Channels, s = Spatial, m = _n * s;
        var xs = _input!.Span;
        var xhat = _xhat!.Span;
        var y = _y!.Span;
        float mean, invStd;
        if (_training)
        {
            double sum = 0;
            for (int i = 0; i < _n; i++) sum += TensorPrimitives.Sum(xs.Slice((i * c + ch) * s, s));
            mean = (float)(sum / m);
            double squares = 0;
            for (int i = 0; i < _n; i++)
            {
                var centred = xhat.Slice((i * c + ch) * s, s);
                TensorPrimitives.Subtract(xs.Slice((i * c + ch) * s, s), mean, centred);
                squares += TensorPrimitives.SumOfSquares(centred);
            }
            double variance = squares / m;
            invStd = (float)(1 / Math.Sqrt(variance + Epsilon));
            var runMean = _runningMean.Span;
            var runVar = _runningVar.Span;
            runMean[ch] = (1 - Momentum) * runMean[ch] + Momentum * mean;
            runVar[ch] = (1 - Momentum) * runVar[ch] + Momentum * (float)(variance * m / (m - 1));
        }
        else
        {
            mean = _runningMean.Span[ch];
            invStd = 1 / MathF.Sqrt(_runningVar.Span[ch] + Epsilon);
            for (int i = 0; i < _n; i++) TensorPrimitives.Subtract(xs.Slice((i * c + ch) * s, s), mean, xhat.Slice((i * c + ch) * s, s));
        }
        _invStd[ch] = invStd;
        float gamma = Gamma.Value.Span[ch], beta = Beta.Value.Span[ch];
        for (int i = 0; i < _n; i++)
        {
            var h = xhat.Slice((i * c + ch) * s, s);
            Kernels.Elementwise.Normalize(h, invStd, gamma, beta, h, y.Slice((i * c + ch) * s, s));
        }
    }

    /// <summary>
    /// Adds Σ dy x̂ to γ's gradient and Σ dy to β's; returns dL/dx by the formula above after a training forward, or
    /// γ dy / sqrt(σ² + ε) after an evaluation forward (the statistics were constants). dL/dx is computed even when
    /// <see cref="Layer.NeedsInputGradient"/> is false. Throws <see cref="InvalidOperationException"/> before any <see cref="Forward"/>.
    /// </summary>
    public override Tensor Backward(Tensor dy)
    {
        if (_n < 0) throw new InvalidOperationException($"{Label}: backward before forward");
        Tensor.Ensure(ref _dx, _n, InputShape);
        _gradient = dy;
        RunChannels(backward: true);
        _gradient = null;
        return _dx!;
    }

    private void BackwardChannel(int ch)
    {
        int c = Channels, s = Spatial, m = _n * s;
        var dx = _dx!.Span;
        var xhat = _xhat!.Span;
        var dys = _gradient!.Span;
        double sumDy = 0, sumDyXhat = 0;
        for (int i = 0; i < _n; i++)
        {
            int at = (i * c + ch) * s;
            sumDy += TensorPrimitives.Sum(dys.Slice(at, s));
            sumDyXhat += TensorPrimitives.Dot(dys.Slice(at, s), xhat.Slice(at, s));
        }
        Beta.Grad.Span[ch] += (float)sumDy;
        Gamma.Grad.Span[ch] += (float)sumDyXhat;
        float scale = Gamma.Value.Span[ch] * _invStd[ch];
        // In training μ and σ depend on every x of the channel: dx = scale (dy - mean(dy) - x̂ mean(dy x̂)).
        float shift = _training ? (float)(-scale * sumDy / m) : 0f;
        float slope = _training ? (float)(-scale * sumDyXhat / m) : 0f;
        for (int i = 0; i < _n; i++)
        {
            int at = (i * c + ch) * s;
            Kernels.Elementwise.NormalizeBackward(dys.Slice(at, s), xhat.Slice(at, s), scale, slope, shift, dx.Slice(at, s));
        }
    }
}

using System.Diagnostics;
using Dendrite.Inference;
using Dendrite.Kernels;

namespace Dendrite;

/// <summary>
/// A network's inference forward, planned once: batch norm folded into the convolution or dense layer before it,
/// each elementwise activation applied by the step before it as an epilogue (ReLU inside the convolution kernels),
/// dropout dropped, and each convolution computed by the algorithm measured fastest for its shape on this machine
/// (im2col + GEMM, direct or Winograd). A batch of one runs each step on one thread where that measured faster than
/// handing work to the engine's other threads. The values equal <c>Forward(x, training: false)</c> up to float
/// rounding; they are bit-identical for any thread count, and a call allocates nothing once its buffers have grown.
/// The plan reads the layers' weights on every call (folding costs one pass over the folded weights), so it stays
/// valid while the network trains. <see cref="Sequential.Predict(Tensor, int)"/> builds and keeps one.
/// </summary>
public sealed class InferencePlan
{
    private readonly PlanStep[] _steps;
    private readonly int[] _inputShape;
    private readonly Engine _engine, _serial;

    private InferencePlan(PlanStep[] steps, int[] inputShape, Engine engine)
    {
        (_steps, _inputShape, _engine) = (steps, inputShape, engine);
        _serial = engine.Threads == 1 ? engine : new Engine(1, engine.Settings);
    }

    /// <summary>
    /// Plans the first <paramref name="layers"/> layers of the built network <paramref name="net"/> (all when negative)
    /// on the network's engine. Building times the candidate convolution algorithms (once per shape in a process) and
    /// each step at batch one: from milliseconds for small networks to a few hundred for large ones.
    /// </summary>
    /// <exception cref="InvalidOperationException">The network is not built.</exception>
    public static InferencePlan Build(Sequential net, int layers = -1)
    {
        if (!net.IsBuilt) throw new InvalidOperationException("the network is not built: call Build(inputShape) first");
        int count = layers < 0 || layers > net.Layers.Count ? net.Layers.Count : layers;
        var plan = new InferencePlan(Plan(net.Layers.Take(count)), net.InputShape, net.Engine);
        plan.Calibrate();
        return plan;
    }

    /// <summary>What each step computes, in order, e.g. <c>conv(32,3,pad=1)+batchnorm+relu [winograd]</c>.</summary>
    public IReadOnlyList<string> Steps => [.. _steps.Select(s => s.Describe() + (s.SerialForOne ? " (one thread at batch 1)" : ""))];

    /// <summary>The network's output for the batch <paramref name="x"/> [N, ...input shape], in a buffer the next call reuses.</summary>
    /// <exception cref="ShapeException">x is not [N, ...input shape].</exception>
    public Tensor Run(Tensor x)
    {
        if (x.Rank != _inputShape.Length + 1 || !x.Shape[1..].SequenceEqual(_inputShape))
            throw new ShapeException($"inference: input {Tensor.Format(x.Shape)} does not match [N, {string.Join(", ", _inputShape)}]");
        return RunSteps(_steps, x, _engine, _serial);
    }

    internal static Tensor RunSteps(PlanStep[] steps, Tensor x, Engine engine) =>
        RunSteps(steps, x, engine, engine);

    private static Tensor RunSteps(PlanStep[] steps, Tensor x, Engine engine, Engine serial)
    {
        foreach (var step in steps) x = step.Run(x, step.SerialForOne && x[0] == 1 ? serial : engine);
        return x;
    }

    // The layers, nested sequential blocks opened up, turned into steps; a layer fuses with the ones after it where it can.
    private static PlanStep[] Plan(IEnumerable<Layer> layers)
    {
        var list = Open(layers).Where(l => l is not Dropout).ToList();
        var steps = new List<PlanStep>();
        for (int i = 0; i < list.Count; i++)
        {
            Layer layer = list[i];
            Layer? Next(int k) => i + k < list.Count ? list[i + k] : null;
            var norm = Next(1) as BatchNorm;
            switch (layer)
            {
                case Conv2d conv:
                    {
                        var act = Epilogue.Fuses(Next(norm is null ? 1 : 2)) ? (Activation)Next(norm is null ? 1 : 2)! : null;
                        steps.Add(new ConvolutionStep(conv, norm, act, ConvolutionCosts.Choose(conv)));
                        i += (norm is null ? 0 : 1) + (act is null ? 0 : 1);
                        break;
                    }
                case Dense dense:
                    {
                        var act = Epilogue.Fuses(Next(norm is null ? 1 : 2)) ? (Activation)Next(norm is null ? 1 : 2)! : null;
                        steps.Add(new DenseStep(dense, norm, act));
                        i += (norm is null ? 0 : 1) + (act is null ? 0 : 1);
                        break;
                    }
                case BatchNorm bn:
                    {
                        var act = Epilogue.Fuses(Next(1)) ? (Activation)Next(1)! : null;
                        steps.Add(new AffineStep(bn, act));
                        i += act is null ? 0 : 1;
                        break;
                    }
                case Residual block:
                    {
                        var act = Epilogue.Fuses(Next(1)) ? (Activation)Next(1)! : null;
                        steps.Add(new ResidualStep(block, Plan(block.Body.Layers), block.Projection is { } p ? Plan(p.Layers) : [], act));
                        i += act is null ? 0 : 1;
                        break;
                    }
                default:
                    steps.Add(new LayerStep(layer));
                    break;
            }
        }
        return [.. steps];
    }

    private static IEnumerable<Layer> Open(IEnumerable<Layer> layers) =>
        layers.SelectMany(l => l is Sequential s ? Open(s.Layers) : [l]);

    /// <summary>Rounds of timing per step at batch one, alternating the engine and one thread; the best of each kept.</summary>
    private const int CalibrationRounds = 5;

    // Times each top-level step on a batch of one, on the engine's threads and on one thread, and keeps the faster.
    private void Calibrate()
    {
        if (_engine.Threads == 1) return;
        var x = new Tensor([1, .. _inputShape]);
        new Rng(11).Uniform(x.Span, 0f, 1f);
        foreach (var step in _steps)
        {
            double multi = double.MaxValue, single = double.MaxValue;
            Tensor y = x;
            for (int round = 0; round <= CalibrationRounds; round++)
            {
                long t0 = Stopwatch.GetTimestamp();
                y = step.Run(x, _engine);
                double a = Stopwatch.GetElapsedTime(t0).TotalMicroseconds;
                t0 = Stopwatch.GetTimestamp();
                step.Run(x, _serial);
                double b = Stopwatch.GetElapsedTime(t0).TotalMicroseconds;
                if (round == 0) continue; // warm-up
                multi = Math.Min(multi, a);
                single = Math.Min(single, b);
            }
            step.SerialForOne = single < multi;
            x = y;
        }
    }
}

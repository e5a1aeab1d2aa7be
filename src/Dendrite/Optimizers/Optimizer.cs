using System.Numerics.Tensors;

namespace Dendrite;

/// <summary>
/// Updates parameters from their gradients. Per-parameter state (velocities, moments) is keyed by the
/// parameter. Weight decay here is the classic L2 term added to the gradient, g + wd * w, applied to
/// parameters with <see cref="Parameter.Decays"/>; <see cref="AdamW"/> decouples it instead.
/// </summary>
public abstract class Optimizer(float learningRate, float weightDecay)
{
    private readonly Dictionary<Parameter, float[][]> _state = new(ReferenceEqualityComparer.Instance);

    /// <summary>The command-line name: sgd, momentum, nesterov, adam, adamw, rmsprop.</summary>
    public abstract string Name { get; }

    /// <summary>The rate the next step uses; a schedule changes it between epochs.</summary>
    public float LearningRate { get; set; } = learningRate > 0 && float.IsFinite(learningRate)
        ? learningRate : throw new ArgumentOutOfRangeException(nameof(learningRate), $"learning rate must be positive, got {learningRate}");

    public float WeightDecay { get; } = weightDecay >= 0 && float.IsFinite(weightDecay)
        ? weightDecay : throw new ArgumentOutOfRangeException(nameof(weightDecay), $"weight decay must be >= 0, got {weightDecay}");

    /// <summary>Steps taken so far (Adam's t).</summary>
    public long Steps { get; set; }

    /// <summary>How many state vectors each parameter carries.</summary>
    protected virtual int StateSlots => 0;

    /// <summary>False when the subclass applies weight decay itself.</summary>
    protected virtual bool AddsDecayToGradient => true;

    public void Step(IReadOnlyList<Parameter> parameters)
    {
        Steps++;
        // Index loops: foreach over an IReadOnlyList boxes an enumerator, and a training step allocates nothing.
        for (int i = 0; i < parameters.Count; i++)
        {
            var p = parameters[i];
            var w = p.Value.Span;
            var g = p.Grad.Span;
            if (WeightDecay > 0 && p.Decays && AddsDecayToGradient) TensorPrimitives.MultiplyAdd(w, WeightDecay, g, g);
            Update(p, w, g, StateOf(p));
        }
    }

    public static void ZeroGrad(IReadOnlyList<Parameter> parameters)
    {
        for (int i = 0; i < parameters.Count; i++) parameters[i].Grad.Clear();
    }

    /// <summary>w &lt;- w - step(g), using and updating this parameter's state.</summary>
    protected abstract void Update(Parameter p, Span<float> w, ReadOnlySpan<float> g, float[][] state);

    /// <summary>The state vectors of one parameter, created zeroed on first use (checkpoints read and restore them).</summary>
    public float[][] StateOf(Parameter p)
    {
        if (!_state.TryGetValue(p, out var s))
        {
            s = new float[StateSlots][];
            for (int i = 0; i < s.Length; i++) s[i] = new float[p.Length];
            _state[p] = s;
        }
        return s;
    }
}

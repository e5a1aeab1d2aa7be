namespace Dendrite.Inference;

/// <summary>
/// One step of an <see cref="InferencePlan"/>: one or more layers computed together on a batch, into a buffer the
/// step owns and the next call reuses. Steps trust their input's shape: the plan checked it.
/// </summary>
internal abstract class PlanStep
{
    /// <summary>What the step computes, e.g. <c>conv(32,3,pad=1)+batchnorm+relu [winograd]</c>.</summary>
    public abstract string Describe();

    /// <summary>The output for batch x, computed on <paramref name="engine"/>'s threads where the step's kernels take one.</summary>
    public abstract Tensor Run(Tensor x, Engine engine);

    /// <summary>True when a batch of one ran faster on one thread than on the plan's engine (measured when the plan was built).</summary>
    public bool SerialForOne { get; set; }

    /// <summary>The steps inside this one (a residual block's), for calibration.</summary>
    public virtual IEnumerable<PlanStep> Inner => [];
}

/// <summary>A layer with no fused form: its own inference forward (<see cref="Layer.Predict"/>) on the layer's engine.</summary>
internal sealed class LayerStep(Layer layer) : PlanStep
{
    public override string Describe() => layer.Spec;

    public override Tensor Run(Tensor x, Engine engine) => layer.Predict(x);
}

namespace Dendrite;

/// <summary>
/// A layer whose training-mode forward draws random numbers (dropout). Freezing it makes every training forward
/// reuse the last draw, so the layer becomes a fixed function and finite differences mean something;
/// <see cref="GradientCheck"/> freezes such layers for the duration of a check.
/// </summary>
public interface IStochastic
{
    /// <summary>While true, training forwards reuse the last mask (a new one is drawn only when the batch shape changes).</summary>
    bool Frozen { get; set; }
}

namespace Dendrite.Inference;

/// <summary>
/// The elementwise activation a step applies to its own output before handing it on, so the activation costs no
/// layer, buffer or separate call of its own. ReLU is applied inside the convolution kernels' registers; any other
/// activation in place on the step's output, while it is still in cache from the write.
/// </summary>
internal static class Epilogue
{
    /// <summary>Whether a step can take <paramref name="layer"/> as its epilogue: any elementwise activation not linearised for a gradient check.</summary>
    public static bool Fuses(Layer? layer) => layer is Activation { Linearized: false };

    /// <summary>y = f(y) for the activation (nothing for null, nothing for ReLU when <paramref name="reluDone"/>).</summary>
    public static void Apply(Activation? activation, Span<float> y, bool reluDone = false)
    {
        if (activation is null || (reluDone && activation is ReLU)) return;
        activation.Apply(y, y);
    }

    /// <summary>"+relu", or "" for none.</summary>
    public static string Name(Activation? activation) => activation is null ? "" : "+" + activation.Spec;
}

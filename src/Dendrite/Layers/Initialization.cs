namespace Dendrite;

/// <summary>
/// Starting weights for a layer, as the built-in layers draw them: a user's layer calls <see cref="Fill"/> in its
/// <c>OnBuild</c> with the rng it is given, so one seed still fixes the whole network.
/// </summary>
public static class Initialization
{
    /// <summary>
    /// Fills <paramref name="weights"/> from U(-limit, +limit): limit = sqrt(6 / fanIn) for <see cref="Initializer.He"/>,
    /// sqrt(6 / (fanIn + fanOut)) for <see cref="Initializer.Xavier"/>. For a dense layer fanIn is its inputs and fanOut its
    /// units; for a convolution, C kh kw and filters kh kw.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">An initializer that is not one of the enum's values, or fanIn (or fanIn + fanOut) not positive.</exception>
    public static void Fill(Initializer init, Span<float> weights, int fanIn, int fanOut, Rng rng)
    {
        if (fanIn <= 0 || fanOut < 0) throw new ArgumentOutOfRangeException(nameof(fanIn), $"fan-in {fanIn} and fan-out {fanOut}: fan-in must be positive");
        float limit = init switch
        {
            Initializer.He => MathF.Sqrt(6f / fanIn),
            Initializer.Xavier => MathF.Sqrt(6f / (fanIn + fanOut)),
            _ => throw new ArgumentOutOfRangeException(nameof(init)),
        };
        rng.Uniform(weights, -limit, limit);
    }
}

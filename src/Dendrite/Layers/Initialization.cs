namespace Dendrite;

internal static class Initialization
{
    public static void Fill(Initializer init, Span<float> weights, int fanIn, int fanOut, Rng rng)
    {
        float limit = init switch
        {
            Initializer.He => MathF.Sqrt(6f / fanIn),
            Initializer.Xavier => MathF.Sqrt(6f / (fanIn + fanOut)),
            _ => throw new ArgumentOutOfRangeException(nameof(init)),
        };
        rng.Uniform(weights, -limit, limit);
    }
}

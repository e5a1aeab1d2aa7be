namespace Dendrite;

/// <summary>
/// Places the centres of every <see cref="Rbf"/> layer of a network by k-means on a seeded random sample of the
/// training data (seen through the layers before it), and sets the widths from the distances between the centres.
/// The first phase of the classic two-phase fit, and a good start for training by backprop.
/// </summary>
public static class RbfCentres
{
    /// <summary>Points k-means sees at most: enough for 64-1024 centres, fast on 2 cores.</summary>
    public const int DefaultSample = 5000;

    /// <summary>Returns how many <see cref="Rbf"/> layers were initialised.</summary>
    public static int Initialise(Sequential net, Dataset train, ulong seed, int sample = DefaultSample)
    {
        int done = 0;
        for (int li = 0; li < net.Layers.Count; li++)
        {
            if (net.Layers[li] is not Rbf rbf) continue;
            var rng = new Rng(seed ^ (0x9E3779B97F4A7C15UL * (ulong)(li + 1)));
            int m = Math.Min(sample, train.Count);
            if (m < rbf.Units)
                throw new InvalidDataException($"{rbf.Label}: k-means needs at least {rbf.Units} training samples, got {train.Count}");
            var x = SampleInputs(train, m, rng);
            var h = net.Forward(x, training: false, count: li);
            var km = KMeans.Fit(h.Span, m, rbf.Inputs, rbf.Units, rng, engine: rbf.Engine);
            rbf.SetCentres(km.Centres, rbf.Inputs);
            done++;
        }
        return done;
    }

    /// <summary>m samples drawn without replacement, in a seeded order (all of them when m is the count).</summary>
    private static Tensor SampleInputs(Dataset data, int m, Rng rng)
    {
        var order = Enumerable.Range(0, data.Count).ToArray();
        rng.Shuffle(order);
        int size = data.SampleSize;
        var x = new Tensor([m, .. data.SampleShape]);
        for (int i = 0; i < m; i++) data.ReadSample(order[i], x.Span.Slice(i * size, size));
        return x;
    }
}

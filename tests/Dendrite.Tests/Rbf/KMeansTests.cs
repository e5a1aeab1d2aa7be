namespace Dendrite.Tests.Rbf;

public class KMeansTests
{
    private static (float[] Points, int[] Blob) Blobs(Rng rng, float[][] means, int perBlob, float spread)
    {
        int d = means[0].Length;
        var points = new float[means.Length * perBlob * d];
        var blob = new int[means.Length * perBlob];
        for (int b = 0, i = 0; b < means.Length; b++)
            for (int s = 0; s < perBlob; s++, i++)
            {
                blob[i] = b;
                for (int p = 0; p < d; p++) points[i * d + p] = means[b][p] + spread * rng.NextGaussian();
            }
        return (points, blob);
    }

    [Fact]
    public void Finds_three_separated_blobs()
    {
        float[][] means = [[0, 0], [10, 0], [0, 10]];
        var (points, blob) = Blobs(new Rng(2), means, 40, 0.5f);
        var km = KMeans.Fit(points, 120, 2, 3, new Rng(4));
        // Each blob lands in one cluster of its own, and each centre within 0.3 of its blob's mean.
        for (int b = 0; b < 3; b++)
        {
            var clusters = Enumerable.Range(0, 120).Where(i => blob[i] == b).Select(i => km.Assignment[i]).Distinct().ToArray();
            Assert.Single(clusters);
            int c = clusters[0];
            float dx = km.Centres[c * 2] - means[b][0], dy = km.Centres[c * 2 + 1] - means[b][1];
            Assert.True(MathF.Sqrt(dx * dx + dy * dy) < 0.3f, $"blob {b}: centre ({km.Centres[c * 2]}, {km.Centres[c * 2 + 1]})");
        }
        Assert.Equal(3, km.Assignment.Distinct().Count());
        Assert.InRange(km.Inertia, 120 * 2 * 0.25 * 0.7, 120 * 2 * 0.25 * 1.3); // about n d spread^2
    }

    [Fact]
    public void Is_reproducible_for_a_seed()
    {
        var (points, _) = Blobs(new Rng(3), [[0, 0, 0], [3, 3, 3]], 50, 1f);
        var a = KMeans.Fit(points, 100, 3, 5, new Rng(8));
        var b = KMeans.Fit(points, 100, 3, 5, new Rng(8));
        Assert.Equal(a.Centres, b.Centres);
        Assert.Equal(a.Assignment, b.Assignment);
    }

    [Fact]
    public void With_as_many_centres_as_distinct_points_every_point_is_a_centre()
    {
        float[] points = [0, 1, 2, 5, 9];
        var km = KMeans.Fit(points, 5, 1, 5, new Rng(1));
        Assert.Equal(points, km.Centres.Order().ToArray());
        Assert.Equal(0, km.Inertia);
    }

    [Fact]
    public void Refuses_more_centres_than_points()
    {
        var e = Assert.Throws<InvalidDataException>(() => KMeans.Fit(new float[6], 3, 2, 4, new Rng(1)));
        Assert.Equal("k-means: 4 centres need at least 4 points, got 3", e.Message);
    }
}

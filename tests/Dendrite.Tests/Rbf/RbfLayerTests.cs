using Dendrite.Kernels;

namespace Dendrite.Tests.Rbf;

public class RbfLayerTests
{
    [Theory]
    [InlineData(RadialKernel.Gaussian)]
    [InlineData(RadialKernel.Multiquadric)]
    [InlineData(RadialKernel.InverseMultiquadric)]
    public void Gradients_match_finite_differences(RadialKernel kernel)
    {
        var rng = new Rng(11);
        var rbf = new Dendrite.Rbf(5, kernel);
        rbf.Build([3], rng);
        // Widths of order one, so u = r^2 spans the kernel's curved part rather than its tails.
        rng.Uniform(rbf.LogWidth.Value.Span, 0f, 0.7f);
        var x = TestData.Random(rng, 4, 3);
        var results = GradientCheck.CheckLayer(rbf, x, rng);
        Assert.Equal(3, results.Count); // centres, log_width, dL/dx
        Assert.All(results, r => Assert.True(r.Checked > 0, $"{r.Tensor}: nothing checked"));
        TestData.AssertGradients(results);
    }

    [Theory]
    [InlineData(RadialKernel.Gaussian)]
    [InlineData(RadialKernel.Multiquadric)]
    [InlineData(RadialKernel.InverseMultiquadric)]
    public void Forward_is_phi_of_the_scaled_distance(RadialKernel kernel)
    {
        var rbf = new Dendrite.Rbf(2, kernel);
        rbf.Build([2], new Rng(1));
        // Centres (0, 0) and (1, 2), widths 1 and 2.
        new float[] { 0, 0, 1, 2 }.CopyTo(rbf.Centres.Value.Span);
        new float[] { 0, MathF.Log(2) }.CopyTo(rbf.LogWidth.Value.Span);
        var y = rbf.Forward(new Tensor([3, 4, 1, 2], 2, 2), training: false);
        // Sample (3, 4): r^2 = 25 and (4 + 4) / 4 = 2; sample (1, 2): r^2 = 5 and 0.
        double[] u = [25, 2, 5, 0];
        Func<double, double> phi = kernel switch
        {
            RadialKernel.Gaussian => v => Math.Exp(-v),
            RadialKernel.Multiquadric => v => Math.Sqrt(1 + v),
            _ => v => 1 / Math.Sqrt(1 + v),
        };
        TestData.AssertClose(u.Select(v => (float)phi(v)).ToArray(), y.Span, 1e-5f);
    }

    [Fact]
    public void Plain_backprop_without_input_gradient_still_fills_parameter_gradients()
    {
        var rng = new Rng(3);
        var rbf = new Dendrite.Rbf(4) { NeedsInputGradient = false };
        rbf.Build([2], rng);
        var x = TestData.Random(rng, 3, 2);
        rbf.Forward(x, training: true);
        var dx = rbf.Backward(TestData.Random(rng, 3, 4));
        Assert.Equal(0, dx.Length);
        Assert.Contains(rbf.Centres.Grad.Span.ToArray(), g => g != 0f);
        Assert.Contains(rbf.LogWidth.Grad.Span.ToArray(), g => g != 0f);
    }

    [Fact]
    public void Widths_are_the_mean_distance_to_the_two_nearest_other_centres()
    {
        var widths = Dendrite.Rbf.NearestCentreWidths([0f, 1f, 3f], 3, 1, neighbours: 2);
        TestData.AssertClose([2f, 1.5f, 2.5f], widths, 1e-5f);
        var rbf = new Dendrite.Rbf(3, scale: 2f);
        rbf.Build([1], new Rng(1));
        rbf.SetCentres([0f, 1f, 3f], 1);
        TestData.AssertClose([MathF.Log(4f), MathF.Log(3f), MathF.Log(5f)], rbf.LogWidth.Value.Span, 1e-5f);
    }

    [Fact]
    public void Widths_of_many_centres_need_no_k_by_k_matrix()
    {
        // Found by fuzzing: rbf(43434) allocated a 7.5 GB distance matrix; above 46,340 centres k * k overflowed.
        const int k = 8192, d = 2;
        var rng = new Rng(5);
        var centres = Enumerable.Range(0, k * d).Select(_ => (float)rng.NextDouble()).ToArray();
        long before = GC.GetAllocatedBytesForCurrentThread();
        var widths = Dendrite.Rbf.NearestCentreWidths(centres, k, d, neighbours: 2, new Engine(threads: 1));
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.True(allocated < 80L << 20, $"allocated {allocated} bytes; a k x k matrix is {4L * k * k}");
        // Rows of every block against the direct distances in double (the GEMM expansion rounds at float's 1e-7 of the norms).
        var row = new float[k];
        foreach (int i in new[] { 0, 1, 4095, 4096, 8191 })
        {
            SquaredDistance.Reference(centres.AsSpan(i * d, d), 1, centres, k, d, row);
            row[i] = float.PositiveInfinity;
            Array.Sort(row);
            float expected = (float)((Math.Sqrt(row[0]) + Math.Sqrt(row[1])) / 2);
            Assert.True(Math.Abs(widths[i] - expected) <= 2e-2 * expected, $"centre {i}: {widths[i]}, expected {expected}");
        }
    }

    [Fact]
    public void Repeated_centres_get_the_mean_width_of_the_others()
    {
        var widths = Dendrite.Rbf.NearestCentreWidths([0f, 0f, 0f, 4f], 4, 1, neighbours: 1);
        TestData.AssertClose([4f, 4f, 4f, 4f], widths, 1e-5f);
    }

    [Theory]
    [InlineData(1, 1, 1)]
    [InlineData(7, 5, 3)]
    [InlineData(13, 4, 17)]
    public void Gemm_distances_match_the_direct_sum(int n, int k, int d)
    {
        var rng = new Rng(5);
        var x = TestData.Random(rng, n, d);
        var c = TestData.Random(rng, k, d);
        var fast = new float[n * k];
        var reference = new float[n * k];
        SquaredDistance.Compute(Engine.Default, x.Span, n, c.Span, k, d, fast, new float[n], new float[k]);
        SquaredDistance.Reference(x.Span, n, c.Span, k, d, reference);
        TestData.AssertClose(reference, fast, 1e-5f);
    }

    [Fact]
    public void Spec_reads_kernel_and_scale_and_writes_them_back()
    {
        var layers = ModelSpec.Parse("rbf(8,kernel=inverse,scale=2),dense(1)");
        var rbf = Assert.IsType<Dendrite.Rbf>(layers[0]);
        Assert.Equal(RadialKernel.InverseMultiquadric, rbf.Kernel);
        Assert.Equal(2f, rbf.Scale);
        Assert.Equal("rbf(8,kernel=inverse,scale=2)", rbf.Spec);
        Assert.Equal("rbf(16,kernel=multiquadric)", ModelSpec.Parse("rbf(16, multiquadric)")[0].Spec);
        Assert.Equal("rbf(64)", ModelSpec.Parse("rbf")[0].Spec);
        var e = Assert.Throws<SpecException>(() => ModelSpec.Parse("rbf(8,kernel=cauchy)"));
        Assert.Equal("spec item 1 'rbf(8,kernel=cauchy)': kernel 'cauchy' is not one of gaussian, multiquadric, inverse", e.Message);
        Assert.Throws<SpecException>(() => ModelSpec.Parse("rbf(8,scale=0)"));
    }
}

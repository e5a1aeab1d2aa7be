using Dendrite.Kernels;

namespace Dendrite.Tests.Rbf;

public class CholeskyTests
{
    [Fact]
    public void Solves_a_known_system()
    {
        // A = [[4, 2], [2, 3]], x = [1, -2], b = A x = [0, -4]; L = [[2, 0], [1, sqrt 2]].
        double[] a = [4, 2, 2, 3];
        Cholesky.Factor(a, 2);
        Assert.Equal([2, 0, 1, Math.Sqrt(2)], a);
        double[] b = [0, -4];
        Cholesky.Solve(a, 2, b, 1);
        Assert.Equal(1, b[0], 12);
        Assert.Equal(-2, b[1], 12);
    }

    [Fact]
    public void Solves_random_positive_definite_systems_with_several_right_hand_sides()
    {
        var rng = new Rng(9);
        int n = 9, m = 3;
        var g = new double[n * n];
        for (int i = 0; i < g.Length; i++) g[i] = rng.NextDouble() - 0.5;
        var a = new double[n * n]; // A = G G^T + I
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++)
            {
                double s = i == j ? 1 : 0;
                for (int p = 0; p < n; p++) s += g[i * n + p] * g[j * n + p];
                a[i * n + j] = s;
            }
        var x = new double[n * m];
        for (int i = 0; i < x.Length; i++) x[i] = rng.NextDouble() * 4 - 2;
        var b = new double[n * m];
        for (int i = 0; i < n; i++)
            for (int c = 0; c < m; c++)
                for (int p = 0; p < n; p++) b[i * m + c] += a[i * n + p] * x[p * m + c];
        Cholesky.Factor(a, n);
        Cholesky.Solve(a, n, b, m);
        for (int i = 0; i < x.Length; i++) Assert.Equal(x[i], b[i], 10);
    }

    [Fact]
    public void Refuses_a_matrix_that_is_not_positive_definite()
    {
        double[] a = [1, 2, 2, 1]; // eigenvalues 3 and -1
        var e = Assert.Throws<ArithmeticException>(() => Cholesky.Factor(a, 2));
        Assert.Contains("pivot 1 of 2", e.Message);
    }
}

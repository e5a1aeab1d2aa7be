namespace Dendrite.Kernels;

/// <summary>
/// The Winograd minimal-filtering matrices of F(2, 5) and F(4, 3): y = Aᵀ [(G g) ⊙ (Bᵀ d)] is the correlation
/// y[i] = sum_k g[k] d[i + k] of a 6-value input tile d with an r-tap filter g; nested, Y = Aᵀ [(G g Gᵀ) ⊙ (Bᵀ d B)] A.
/// Obtained by Cook-Toom (Lavin and Gray 2015) on the points 0, 1, -1, 2, -2, ∞: G and A are Vandermonde matrices
/// of those points (rows a^0..a^(r-1), resp. a^0..a^(m-1); the ∞ row is [0, ..., 0, 1]), Bᵀ is the transpose of
/// the inverse of the 6 x 6 Vandermonde matrix, and each Bᵀ row was scaled to integers with the inverse scale moved
/// into G. Computed in exact rational arithmetic; the tests check the identity again. The points ±1/2 give the
/// mirror-image set (same Bᵀ magnitudes); we keep Lavin's, whose Bᵀ is shared by both tile sizes.
/// The transforms in <see cref="WinogradTransforms"/> are these matrices written out with shared sub-sums.
/// </summary>
internal static class WinogradMatrices
{
    public const int Alpha = 6;

    public static readonly float[,] BT =
    {
        { 4, 0, -5, 0, 1, 0 },
        { 0, 4, 4, -1, -1, 0 },
        { 0, -4, 4, 1, -1, 0 },
        { 0, -2, -1, 2, 1, 0 },
        { 0, 2, -1, -2, 1, 0 },
        { 0, 4, 0, -5, 0, 1 },
    };

    /// <summary>G for r = 5 (F(2, 5)): rows g(0)/4, g(1)/6, g(-1)/6, g(2)/24, g(-2)/24, g(∞) with g(a) = sum_k g[k] a^k.</summary>
    public static readonly float[,] G5 =
    {
        { 1 / 4f, 0, 0, 0, 0 },
        { 1 / 6f, 1 / 6f, 1 / 6f, 1 / 6f, 1 / 6f },
        { 1 / 6f, -1 / 6f, 1 / 6f, -1 / 6f, 1 / 6f },
        { 1 / 24f, 1 / 12f, 1 / 6f, 1 / 3f, 2 / 3f },
        { 1 / 24f, -1 / 12f, 1 / 6f, -1 / 3f, 2 / 3f },
        { 0, 0, 0, 0, 1 },
    };

    /// <summary>G for r = 3 (F(4, 3)), the same rows as <see cref="G5"/> for a 3-tap filter.</summary>
    public static readonly float[,] G3 =
    {
        { 1 / 4f, 0, 0 },
        { 1 / 6f, 1 / 6f, 1 / 6f },
        { 1 / 6f, -1 / 6f, 1 / 6f },
        { 1 / 24f, 1 / 12f, 1 / 6f },
        { 1 / 24f, -1 / 12f, 1 / 6f },
        { 0, 0, 1 },
    };

    /// <summary>Aᵀ for m = 2 (F(2, 5)): row i is [0^i, 1, (-1)^i, 2^i, (-2)^i, ∞ term].</summary>
    public static readonly float[,] AT2 =
    {
        { 1, 1, 1, 1, 1, 0 },
        { 0, 1, -1, 2, -2, 1 },
    };

    /// <summary>Aᵀ for m = 4 (F(4, 3)).</summary>
    public static readonly float[,] AT4 =
    {
        { 1, 1, 1, 1, 1, 0 },
        { 0, 1, -1, 2, -2, 0 },
        { 0, 1, 1, 4, 4, 0 },
        { 0, 1, -1, 8, -8, 1 },
    };

    /// <summary>(G, Aᵀ) of the tiling for an r x r kernel: F(2x2, 5x5) or F(4x4, 3x3).</summary>
    public static (float[,] G, float[,] AT) For(int kernel) => kernel switch
    {
        5 => (G5, AT2),
        3 => (G3, AT4),
        _ => throw new ArgumentOutOfRangeException(nameof(kernel), $"winograd: no tiling for a {kernel}x{kernel} kernel (3 or 5)"),
    };
}

namespace Dendrite.Visualization;

/// <summary>How many rows and columns of tiles a picture has.</summary>
public readonly record struct GridShape(int Rows, int Columns)
{
    /// <summary>A near-square grid for <paramref name="count"/> tiles: columns = ceil(sqrt(count)), rows = ceil(count / columns).</summary>
    public static GridShape ForCount(int count)
    {
        if (count <= 0) throw new ArgumentOutOfRangeException(nameof(count), $"a grid needs at least one tile, got {count}");
        int columns = (int)Math.Ceiling(Math.Sqrt(count));
        return new GridShape((count + columns - 1) / columns, columns);
    }

    /// <summary>Pixels along one side for <paramref name="tiles"/> tiles of <paramref name="tile"/> pixels with a gap around each.</summary>
    public static int Extent(int tiles, int tile, int gap) => tiles * tile + (tiles + 1) * gap;
}

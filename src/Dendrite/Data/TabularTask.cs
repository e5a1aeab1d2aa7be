namespace Dendrite;

/// <summary>What a table's target column asks for.</summary>
public enum TabularTask
{
    /// <summary>The target's distinct values are the classes.</summary>
    Classification,
    /// <summary>The target is a number to predict.</summary>
    Regression,
}

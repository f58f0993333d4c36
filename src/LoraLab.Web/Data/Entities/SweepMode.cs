namespace LoraLab.Web.Data.Entities;

/// <summary>Grid: every combination of the swept values. Random: a seeded draw of a budget of distinct combinations.</summary>
public enum SweepMode { Grid, Random }

namespace Exchange.Host.Console;

/// <summary>Marks the pages an operator may open before enrolling a second factor (enrolment, sign-out).</summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
internal sealed class RequiresNoSecondFactorAttribute : Attribute;

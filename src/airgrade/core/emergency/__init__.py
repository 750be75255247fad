"""Emergency emission-reduction lists (应急减排清单): line base, measures, reductions, checks.

The pure core of issue 5. Facts come in as list entries (`model`), are packed into columns (`table`) and the
engine (`engine.simulate`) decides, for one alert level, which lines stop or curtail, what each enterprise and
city cuts per pollutant, and which list checks fail. `plan` turns one enterprise's slice into its task list.
Measures come from an injected lookup (`lookups.MeasureLookup`): the rule book in production,
a table in tests.
"""

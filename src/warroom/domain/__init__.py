"""The pure core of Warroom.

Everything in this package is plain Python over plain values: incidents,
severities, roles, the policy, what a declaration must contain, how a channel
is named. Nothing here talks to Slack, opens a database connection, reads the
clock or the environment; callers pass those in. That is what lets the rules
be unit-tested in microseconds and read in one sitting.
"""

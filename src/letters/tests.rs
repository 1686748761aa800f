//! Tests of the letter engine as a whole: the default set, snapshots, tricky data.

"""What is done with extracted targets: version diff, province comparison, evaluation."""

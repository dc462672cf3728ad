package provider

// NewKafkaBackgroundTasksDataSource returns hwtasks_kafka_background_tasks, the
// background tasks of a DMS for Kafka instance. It shares its implementation
// with the other DMS engines: the API is the same.
var NewKafkaBackgroundTasksDataSource = newBackgroundTasksDataSource(dmsEngine("kafka_background_tasks", "Kafka"))

package provider

// NewRabbitMQBackgroundTasksDataSource returns hwtasks_rabbitmq_background_tasks, the
// background tasks of a DMS for RabbitMQ instance. It shares its implementation
// with the other DMS engines: the API is the same.
var NewRabbitMQBackgroundTasksDataSource = newBackgroundTasksDataSource(dmsEngine("rabbitmq_background_tasks", "RabbitMQ"))

package provider

// NewRocketMQBackgroundTasksDataSource returns hwtasks_rocketmq_background_tasks, the
// background tasks of a DMS for RocketMQ instance. It shares its implementation
// with the other DMS engines: the API is the same.
var NewRocketMQBackgroundTasksDataSource = newBackgroundTasksDataSource(dmsEngine("rocketmq_background_tasks", "RocketMQ"))
